"""Mutated golden frames must fail with ProtocolError or EOFError, never with anything else."""

import random
import struct
import unittest

import helpers
from helpers import C, _convert, _wire

ROUNDS = int(__import__("os").environ.get("EXTENSA_FUZZ_ROUNDS", "4000"))


def mutate(seed, rng):
    data = bytearray(seed)
    choice = rng.randrange(6)
    if choice == 0 and data:
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif choice == 1 and data:
        data[rng.randrange(len(data))] = rng.randrange(256)
    elif choice == 2:
        del data[rng.randrange(len(data) + 1):]
    elif choice == 3 and len(data) >= 8:
        at = rng.randrange(len(data) // 4) * 4
        struct.pack_into("<I", data, at, rng.choice([0, 1, 7, 8, 0x7FFFFFFF, 0x80000000, 0xFFFFFFF8, 1 << 20]))
    elif choice == 4 and len(data) >= 16:
        at = rng.randrange(len(data) // 8) * 8
        struct.pack_into("<q", data, at, rng.choice([0, 1, -1, 2**63 - 1, -2**63, 2**31, 17, 99]))
    else:
        at = rng.randrange(len(data) + 1)
        data[at:at] = bytes(rng.randrange(256) for _ in range(8 * rng.randrange(1, 3)))
    return bytes(data)


def exercise(data):
    for msg_type, _, payload in helpers.read_frames(data):
        message = _wire.decode_message(msg_type, payload)
        if msg_type in (_wire.INPUT_BATCH, _wire.OUTPUT_BATCH):
            _, columns = C.decode_batch(message)
            for i, raw in enumerate(columns):
                try:
                    _convert.to_python(raw, f"c{i}")
                    _convert.to_pandas(raw, f"c{i}")
                except _convert.TypeMappingError:
                    pass  # infinities and out-of-range values are reported, not crashes
        for p in message.get("param", []):
            C.decode_column(p["value"], 1)


class FuzzTest(unittest.TestCase):

    def test_mutations_fail_cleanly(self):
        seeds = [p.read_bytes() for p in sorted(helpers.testdata().glob("*.bin"))]
        rng = random.Random(20240601)
        decoded = 0
        for round_ in range(ROUNDS):
            data = mutate(rng.choice(seeds), rng)
            try:
                exercise(data)
                decoded += 1
            except (_wire.ProtocolError, EOFError):
                pass
            except Exception as e:  # noqa: BLE001 - the point of the test
                self.fail(f"round {round_}: {type(e).__name__}: {e} for {data[:200].hex()}")
        self.assertGreater(decoded, ROUNDS // 20)


if __name__ == "__main__":
    unittest.main()
