// The body of POST /loki/api/v1/push, in either of the forms Loki takes: protobuf compressed with
// snappy's block format (what Alloy's loki.write sends), or JSON. The protobuf schema is Loki's
// Apache-2.0 pkg/push (push.proto), written down here as the field numbers the decoder reads:
//   PushRequest      { repeated StreamAdapter streams = 1; }
//   StreamAdapter    { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
//   EntryAdapter     { google.protobuf.Timestamp timestamp = 1; string line = 2;
//                      repeated LabelPairAdapter structuredMetadata = 3; }
//   LabelPairAdapter { string name = 1; string value = 2; }
//   Timestamp        { int64 seconds = 1; int32 nanos = 2; }
import { gunzipSync } from "zlib";
import { uncompress } from "snappyjs";
import { Labels, parseLabelString } from "./labels";

export interface PushedEntry {
  /** Unix nanoseconds. */
  readonly timestamp: bigint;
  readonly line: string;
  readonly metadata: Labels;
}

export interface PushedStream {
  readonly labels: Labels;
  readonly entries: readonly PushedEntry[];
}

/** A protobuf message's fields by number: varints as bigint, length-delimited fields as bytes. */
type Fields = Map<number, (bigint | Uint8Array)[]>;

function readVarint(bytes: Uint8Array, at: { offset: number }): bigint {
  let value = 0n;
  for (let shift = 0n; shift < 70n; shift += 7n) {
    if (at.offset >= bytes.length) {
      throw new Error("truncated varint");
    }
    const byte = bytes[at.offset++];
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) {
      return value;
    }
  }
  throw new Error("varint longer than 10 bytes");
}

function fields(bytes: Uint8Array): Fields {
  const result: Fields = new Map();
  const at = { offset: 0 };
  while (at.offset < bytes.length) {
    const key = Number(readVarint(bytes, at));
    const [field, wireType] = [key >>> 3, key & 7];
    let value: bigint | Uint8Array;
    if (wireType === 0) {
      value = readVarint(bytes, at);
    } else if (wireType === 2) {
      const length = Number(readVarint(bytes, at));
      if (at.offset + length > bytes.length) {
        throw new Error(`field ${field} runs past the message`);
      }
      value = bytes.subarray(at.offset, at.offset + length);
      at.offset += length;
    } else if (wireType === 1 || wireType === 5) {
      at.offset += wireType === 1 ? 8 : 4; // fixed-width fields: none in push.proto, skipped
      continue;
    } else {
      throw new Error(`field ${field} has wire type ${wireType}, which push.proto does not use`);
    }
    result.set(field, [...(result.get(field) ?? []), value]);
  }
  return result;
}

const text = (value: bigint | Uint8Array | undefined): string =>
  value instanceof Uint8Array ? Buffer.from(value).toString("utf8") : "";
const messages = (all: Fields, field: number): Fields[] =>
  (all.get(field) ?? []).filter((v): v is Uint8Array => v instanceof Uint8Array).map(fields);
const integer = (all: Fields, field: number): bigint => {
  const value = all.get(field)?.at(-1);
  return typeof value === "bigint" ? BigInt.asIntN(64, value) : 0n;
};

/** A protobuf push body, snappy-compressed as Loki expects it. */
export function decodeProtobufPush(body: Uint8Array): PushedStream[] {
  const request = fields(uncompress(body));
  return messages(request, 1).map((stream) => ({
    labels: parseLabelString(text(stream.get(1)?.[0])),
    entries: messages(stream, 2).map((entry) => {
      const time = messages(entry, 1)[0] ?? new Map();
      return {
        timestamp: integer(time, 1) * 1_000_000_000n + integer(time, 2),
        line: text(entry.get(2)?.[0]),
        metadata: Object.fromEntries(
          messages(entry, 3).map((pair) => [text(pair.get(1)?.[0]), text(pair.get(2)?.[0])]),
        ),
      };
    }),
  }));
}

interface JsonPush {
  streams?: { stream?: Record<string, string>; values?: [string, string, Record<string, string>?][] }[];
}

/** A JSON push body (`{"streams":[{"stream":{...},"values":[["<ns>","<line>",{...}?]]}]}`). */
export function decodeJsonPush(body: Uint8Array): PushedStream[] {
  const push = JSON.parse(Buffer.from(body).toString("utf8")) as JsonPush;
  return (push.streams ?? []).map((stream) => ({
    labels: stream.stream ?? {},
    entries: (stream.values ?? []).map(([timestamp, line, metadata]) => {
      if (!/^[0-9]+$/.test(timestamp)) {
        throw new Error(`timestamp ${JSON.stringify(timestamp)} is not Unix nanoseconds`);
      }
      return { timestamp: BigInt(timestamp), line, metadata: metadata ?? {} };
    }),
  }));
}

/** A push body by its Content-Type and Content-Encoding, as Loki's distributor reads it. */
export function decodePush(
  body: Uint8Array,
  contentType: string | undefined,
  contentEncoding: string | undefined,
): PushedStream[] {
  const raw = contentEncoding === "gzip" ? gunzipSync(body) : body;
  return (contentType ?? "").split(";")[0].trim() === "application/json"
    ? decodeJsonPush(raw)
    : decodeProtobufPush(raw);
}
