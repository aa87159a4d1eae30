package io.extensa.engine.script;

import io.extensa.engine.EngineServices;
import io.extensa.engine.monitor.DefaultPoolUsage;
import io.extensa.engine.monitor.RequestInfo;
import io.extensa.engine.monitor.RequestRegistry;
import io.extensa.pgwire.intercept.ExecutionContext;

/** The two calls a script request makes to the request registry: when it begins and when it ends. */
final class RequestMonitoring {

    private RequestMonitoring() {
    }

    static RequestRegistry.Handle begin(EngineServices services, ExecutionContext ctx, ScriptCall call) {
        return services.requests().begin(new RequestInfo(services.newJobId(), ctx.session().sessionId(),
                ctx.session().backendPid(), ctx.session().user(), ctx.session().database(), call.language(),
                DefaultPoolUsage.DEFAULT, 1));
    }

    /** @param outcome the audit outcome: "ok", "abandoned" (the client stopped reading), "cancelled", or an error description */
    static void end(RequestRegistry.Handle request, ScriptCall call, String outcome, long rowsIn, long rowsOut) {
        if (request == null) {
            return;
        }
        request.progress(rowsIn, rowsOut);
        RequestRegistry.Outcome result = switch (outcome) {
            case "ok", "abandoned" -> RequestRegistry.Outcome.OK;
            case "cancelled" -> RequestRegistry.Outcome.CANCELLED;
            default -> RequestRegistry.Outcome.ERROR;
        };
        request.end(result, new RequestRegistry.Flags(call.parallel() && call.hasInput(),
                call.rowsPerRead() > 0 && call.hasInput(), false));
    }
}
