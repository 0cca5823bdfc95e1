#!/usr/bin/env python3
"""Writes the seed corpus of FrameParserFuzzTest (src/test/resources/.../FrameParserFuzzTestInputs).

Text targets get the text itself: modified UTF-8 (CESU-8, as Jazzer's FuzzedDataProvider reads it)
for anyTextIsACommandOrARefusal, UTF-16BE (lone surrogates allowed) for anyUtf16TextIsACommandOrARefusal.
Structured targets get the bytes that make FuzzedDataProvider return the listed choices, in the order
of the target's consume calls: strings from the front, numbers and booleans from the end. Change this
file with the order of those calls, then run it again: python3 src/test/fuzz/frame-parser-seeds.py
"""
import os
import shutil

ROOT = os.path.join(os.path.dirname(__file__), "..", "resources", "com", "estatechat", "chat", "control",
                    "FrameParserFuzzTestInputs")


def cesu(text):
    out = bytearray()
    for unit in text.encode("utf-16-be", "surrogatepass").hex(" ", 2).split():
        c = int(unit, 16)
        if c == 0:
            out += b"\xc0\x80"
        elif c < 0x80:
            out.append(c)
        elif c < 0x800:
            out += bytes([0xC0 | c >> 6, 0x80 | c & 0x3F])
        else:
            out += bytes([0xE0 | c >> 12, 0x80 | c >> 6 & 0x3F, 0x80 | c & 0x3F])
    return bytes(out)


class Fdp:
    """The inverse of FuzzedDataProvider: records choices, lays out their bytes."""

    def __init__(self):
        self.front = bytearray()
        self.back = bytearray()  # in consumption order; the file ends with it reversed

    def int(self, value, lo, hi):
        rng, v, size = hi - lo, value - lo, 0
        while size < 4 and rng >> (8 * size) > 0:
            size += 1
        self.back += (v).to_bytes(size, "big") if size else b""
        return self

    def bool(self, value):
        self.back.append(1 if value else 0)
        return self

    def char(self, value):
        self.back += value.to_bytes(2, "big")
        return self

    def long(self, value):
        self.back += (value % 2**64).to_bytes(8, "big")
        return self

    def string(self, text):
        """consumeString / consumeAsciiString: a backslash is doubled, one ends the string."""
        self.front += cesu(text).replace(b"\\", b"\\\\") + b"\\ "
        return self

    def rest(self, text):
        """consumeRemainingAsString: must be the last string."""
        self.front += cesu(text)
        return self

    def bytes(self):
        return bytes(self.front) + bytes(reversed(self.back))


def write(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else cesu(data))


def frame(message, extra=""):
    return '{"target_id":"bob","message":' + message + extra + "}"


if os.path.isdir(ROOT):
    shutil.rmtree(ROOT)

# ---- anyTextIsACommandOrARefusal: the text as it arrives
T = "anyTextIsACommandOrARefusal"
for name, text in {
    "valid-message": '{"type":"message","target_id":"bob","message":"hi","client_msg_id":"c1"}',
    "valid-ack": '{"type":"ack","message_id":"0190c5a2-7b1e-7c3d-8e4f-123456789abc"}',
    "valid-broadcast": '{"target_id":"role:*","message":"hi"}',
    "unknown-broadcast": '{"target_id":"role:owner","message":"hi"}',
    "read-receipt": '{"type":"read","message_id":"<script>"}',
    "unknown-type": '{"type":"typing","target_id":"bob","message":"hi"}',
    "self-target": '{"target_id":"alice","message":"hi"}',
    "sender-mismatch": '{"target_id":"bob","message":"hi","sender_id":"mallory"}',
    "repeated-field": '{"target_id":"bob","target_id":"carol","message":"hi"}',
    "empty-object": "{}",
    "empty": "",
    "whitespace": " \t\r\n ",
    "bom-first": "\ufeff" + frame('"hi"'),
    "not-an-object-array": '[{"target_id":"bob","message":"hi"}]',
    "not-an-object-string": '"hi"',
    "not-an-object-null": "null",
    "cut-short": '{"target_id":"bob","mess',
    "trailing-comma": '{"target_id":"bob","message":"hi",}',
    "trailing-text": frame('"hi"') + " trailing",
    "trailing-object": frame('"hi"') + "{}",
    "trailing-nul": frame('"hi"') + "\u0000",
    "trailing-whitespace": frame('"hi"') + " \n\t",
    "number-as-message": frame("42"),
    "huge-number-as-target": '{"target_id":1e999999999,"message":"hi"}',
    "boolean-as-client-msg-id": frame('"hi"', ',"client_msg_id":true'),
    "array-as-type": '{"type":["message"],"target_id":"bob","message":"hi"}',
    "object-as-message-id": '{"type":"ack","message_id":{}}',
    "huge-numbers-in-unknown-fields": frame('"hi"', ',"n":123456789012345678901234567890e99999,"m":-1E-999999999'),
    "null-fields": '{"type":null,"target_id":"bob","message":"hi","sender_id":null,"client_msg_id":null}',
    "null-message": '{"target_id":"bob","message":null}',
    "lone-high-surrogate-escape": frame('"a\\ud800b"'),
    "lone-low-surrogate-escape": frame('"\\udc00"'),
    "reversed-pair-escape": frame('"x\\ude00\\ud83d"'),
    "escaped-pair-and-controls": frame('"\\ud83d\\ude00 \\u0000\\u001f\\n"'),
    "raw-pairs": frame('"😀 𝄞 \u2028 \u0085"'),
    "raw-control-in-string": frame('"a\u0001b"'),
    "raw-nul-in-string": frame('"a\u0000b"'),
    "lone-surrogate-in-message-id": '{"type":"read","message_id":"\\ud800"}',
    "message-at-limit": frame('"' + "é" * 200 + '"'),
    "message-over-limit": frame('"' + "é" * 201 + '"', ',"client_msg_id":"c1"'),
    "huge-message": frame('"' + "x" * 100_000 + '"'),
    "huge-target-id": '{"target_id":"' + "b" * 10_000 + '","message":"hi"}',
    "nesting-31-in-unknown-field": '{"extra":' + "[" * 31 + "]" * 31 + ',"target_id":"bob","message":"hi"}',
    "nesting-33-in-unknown-field": '{"extra":' + '{"a":' * 33 + "1" + "}" * 33 + ',"target_id":"bob","message":"hi"}',
    "nesting-1001-arrays-balanced": "[" * 1001 + "]" * 1001,
    "nesting-2000-in-message": frame("[" * 2000 + "]" * 2000),
    "nesting-20000-objects-unbalanced": '{"a":' * 20_000 + "1",
    "nesting-100000-arrays-unbalanced": "[" * 100_000,
}.items():
    write(T, name, text)

# ---- anyUtf16TextIsACommandOrARefusal: UTF-16BE, so raw lone surrogates can be written
U = "anyUtf16TextIsACommandOrARefusal"
for name, text in {
    "valid-message": frame('"hi 😀"'),
    "raw-lone-high-surrogate": frame('"a\ud800b"'),
    "raw-lone-low-surrogate": frame('"\udc00"'),
    "raw-reversed-pair": frame('"\ude00\ud83d"'),
    "raw-lone-surrogate-in-key": '{"\ud800":1,"target_id":"bob","message":"hi"}',
    "raw-lone-surrogate-outside-strings": frame('"hi"') + "\udfff",
    "raw-lone-surrogate-in-target": '{"target_id":"b\ud800","message":"hi"}',
}.items():
    write(U, name, text.encode("utf-16-be", "surrogatepass"))


# ---- aValidFrameDecodesToTheFieldsItWasWrittenWith
V = "aValidFrameDecodesToTheFieldsItWasWrittenWith"
write(V, "ack-with-huge-number-in-unknown-field",
      Fdp().int(1, 0, 3).string("n").int(5, 0, 8).int(0, 0, 3).bool(True).string("0190c5a2-7b1e-7c3d-8e4f-1234")
      .bytes())
write(V, "message-with-pairs-controls-quotes-and-everything",
      Fdp().int(2, 0, 3).string("x").int(0, 0, 8).string("obj").int(8, 0, 8).int(1, 0, 3).string("k")
      .int(3, 0, 8).long(-2**63).bool(False).string("bob.X_9").string('hi 😀 𝄞 "\\/ \u0000\u001f\u2028\ufeff')
      .bool(True).string("c-1").bool(True).bool(True).bytes())

# ---- aValidFrameCutFollowedOrMutated
C = "aValidFrameCutFollowedOrMutated"


def valid(fdp, client_msg_id=True):
    fdp.string("bob").string("hi 😀")
    fdp.bool(client_msg_id)
    if client_msg_id:
        fdp.string("c1")
    return fdp


write(C, "cut-after-10", valid(Fdp()).int(0, 0, 2).int(10, 0, 10_000).bytes())
write(C, "cut-inside-a-pair", valid(Fdp(), False).int(0, 0, 2).int(34, 0, 10_000).bytes())
write(C, "followed-by-text", valid(Fdp()).int(1, 0, 2).rest(" trailing").bytes())
write(C, "followed-by-an-object", valid(Fdp()).int(1, 0, 2).rest("{}").bytes())
write(C, "followed-by-nul", valid(Fdp()).int(1, 0, 2).rest("\u0000").bytes())
write(C, "followed-by-nbsp", valid(Fdp()).int(1, 0, 2).rest("\u00a0").bytes())
write(C, "brace-replaced-by-a-lone-surrogate", valid(Fdp()).int(2, 0, 2).int(0, 0, 10_000).char(0xD800).bytes())
write(C, "quote-replaced-by-nul", valid(Fdp()).int(2, 0, 2).int(1, 0, 10_000).char(0).bytes())
write(C, "colon-replaced-by-comma", valid(Fdp()).int(2, 0, 2).int(12, 0, 10_000).char(ord(",")).bytes())

# ---- aWrongValueGetsItsCode: case, then its choices
W = "aWrongValueGetsItsCode"
write(W, "huge-number-as-target-id", Fdp().int(0, 0, 6).int(1, 0, 5).int(5, 0, 8).int(0, 0, 3).bytes())
write(W, "true-as-message", Fdp().int(0, 0, 6).int(2, 0, 5).int(0, 0, 8).bytes())
write(W, "long-as-client-msg-id", Fdp().int(0, 0, 6).int(4, 0, 5).int(3, 0, 8).long(2**63 - 1).bytes())
write(W, "object-as-type", Fdp().int(0, 0, 6).int(0, 0, 5).int(8, 0, 8).int(1, 0, 3).string("a")
      .int(7, 0, 8).int(0, 0, 3).bytes())
write(W, "array-as-message-id", Fdp().int(0, 0, 6).int(5, 0, 5).int(7, 0, 8).int(1, 0, 3).int(6, 0, 8)
      .string("x").bytes())
write(W, "null-message", Fdp().int(1, 0, 6).int(2, 0, 5).bytes())
write(W, "null-client-msg-id", Fdp().int(1, 0, 6).int(4, 0, 5).bytes())
write(W, "type-read", Fdp().int(2, 0, 6).string("read").bytes())
write(W, "type-in-capitals", Fdp().int(2, 0, 6).string("MESSAGE").bytes())
write(W, "top-level-array-and-string", Fdp().int(3, 0, 6).int(7, 0, 8).int(0, 0, 3).string("hello").bytes())
write(W, "top-level-huge-number", Fdp().int(3, 0, 6).int(5, 0, 8).int(2, 0, 3).string("x").bytes())
write(W, "lone-low-surrogate-first", Fdp().int(4, 0, 6).string("hello world").int(0xDC00, 0xD800, 0xDFFF)
      .int(0, 0, 10_000).bytes())
write(W, "lone-high-surrogate-last", Fdp().int(4, 0, 6).string("hello world").int(0xD83D, 0xD800, 0xDFFF)
      .int(11, 0, 10_000).bytes())
for control in (0x00, 0x0A, 0x1F):
    write(W, f"raw-control-{control:02x}", Fdp().int(5, 0, 6).int(control, 0, 0x1F).bytes())
write(W, "message-at-limit", Fdp().int(6, 0, 6).int(200, 1, 100_000).bool(False).bytes())
write(W, "message-one-over-limit", Fdp().int(6, 0, 6).int(201, 1, 100_000).bool(True).string("c-1").bytes())
write(W, "message-of-100000", Fdp().int(6, 0, 6).int(100_000, 1, 100_000).bool(False).bytes())

# ---- nestingIsLimitedQuicklyAndNeverOverflows: depth, array?, then placement, balanced?
N = "nestingIsLimitedQuicklyAndNeverOverflows"
PLACEMENTS = ["top-level", "in-message", "in-unknown-field", "in-type", "in-array"]
for depth, array, placement, balanced in [(300_000, False, 1, False), (300_000, True, 0, True),
                                          (33, False, 2, True), (1001, True, 3, True), (100_000, True, 4, False)]:
    name = f"{depth}-{'arrays' if array else 'objects'}-{PLACEMENTS[placement]}-{'balanced' if balanced else 'open'}"
    write(N, name, Fdp().int(depth, 1, 300_000).bool(array).int(placement, 0, 4).bool(balanced).bytes())
for array in (True, False):
    write(N, f"31-{'arrays' if array else 'objects'}-ignored", Fdp().int(31, 1, 300_000).bool(array).bytes())
