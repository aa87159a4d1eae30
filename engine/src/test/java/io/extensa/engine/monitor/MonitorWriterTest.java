package io.extensa.engine.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MonitorWriterTest {

    private static RequestRegistry.Handle request(RequestRegistry registry, String id) {
        return registry.begin(new RequestInfo(id, 1, 100, "u", "db", "Python", "default", 1));
    }

    @Test
    void aRequestThatBeganAndEndedInOneBatchIsNeitherInsertedNorDeleted() {
        RequestRegistry registry = new RequestRegistry();
        RequestRegistry.Handle shortOne = request(registry, "short");
        RequestRegistry.Handle longOne = request(registry, "long");
        List<MonitorWriter.Event> kept = MonitorWriter.withoutShortRequests(List.of(
                new MonitorWriter.Began(shortOne), new MonitorWriter.Began(longOne),
                new MonitorWriter.Ended("short"), new MonitorWriter.Ended("earlier")));
        assertThat(kept).containsExactly(new MonitorWriter.Began(longOne), new MonitorWriter.Ended("earlier"));
    }
}
