// The expressions that find trace context and addresses in log lines. They are written in the
// subset of syntax that Go's RE2 (Alloy) and JavaScript (Grafana's derived fields, and the
// tests) read the same way, so the log pipeline and Grafana share one source.

const HEX_ID = "[0-9a-fA-F]{16,32}";

// Spring writes trace context in three shapes:
// - `LEVEL [service,traceId,spanId]`: Micrometer Tracing with the `logging.pattern.level`
//   Spring Boot 3.0/3.1 documented (`%5p [${spring.application.name:},%X{traceId:-},%X{spanId:-}]`,
//   the reference pattern; the name may be empty), and Sleuth's `[service,traceId,spanId,exportable]`;
// - `[traceId-spanId] `: Spring Boot 3.2+'s default correlation ID (32 and 16 hex digits), blank
//   when there is no trace;
// - JSON lines' `"trace_id":"…"` or `"traceId":"…"`.

/**
 * A trace ID in any of those shapes. Its only capture group is the ID, so Grafana's derived field
 * can use it as is.
 */
export const TRACE_ID_REGEX = `(?:\\[[^,\\]\\s]*,|\\[|"(?:trace_id|traceId)"\\s*:\\s*")(?<trace_id>${HEX_ID})`;

/** The span ID, in the same shapes. */
export const SPAN_ID_REGEX = `(?:\\[[^,\\]\\s]*,${HEX_ID},|\\[[0-9a-fA-F]{32}-|"(?:span_id|spanId)"\\s*:\\s*")(?<span_id>[0-9a-fA-F]{16})`;

/**
 * The level in a Spring line: `%5p` right before the `[service,trace,span]` bracket, or before
 * the process ID of Spring Boot's default console pattern (`LEVEL <pid> --- [app] [thread]`).
 */
export const SPRING_LEVEL_REGEX = "(?:^|\\s)(?<level>TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\\s+(?:\\[|\\d+ --- )";

/**
 * The level in a JSON line: its `level` or `severity` field, a word, or pino's default number
 * (10 trace … 60 fatal), which LEVEL_TEMPLATE turns into the word.
 */
export const JSON_LEVEL_REGEX = '"(?:level|severity)"\\s*:\\s*"?(?<level>[A-Za-z]+|[1-6]0)\\b';

/** pino's numeric levels, by the words the other formats print. */
const PINO_LEVELS: Readonly<Record<string, string>> = {
  "10": "trace",
  "20": "debug",
  "30": "info",
  "40": "warn",
  "50": "error",
  "60": "fatal",
};

/** Alloy's template for the extracted level: lowercase words, pino's numbers as their words. */
export const LEVEL_TEMPLATE =
  "{{ $level := ToLower .Value }}" +
  Object.entries(PINO_LEVELS)
    .map(([n, word], i) => `{{ ${i === 0 ? "if" : "else if"} eq $level "${n}" }}${word}`)
    .join("") +
  "{{ else }}{{ $level }}{{ end }}";

const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
const IPV4 = `\\b(?:${OCTET}\\.){3}${OCTET}\\b`;
const H = "[0-9a-fA-F]{1,4}";
// Full form, or compressed with at least one group on each side of "::", so that times
// (10:00:00) and C++/Java method references (Foo::bar) are not taken for addresses.
const IPV6 = `\\b(?:(?:${H}:){7}${H}|(?:${H}:){1,6}:(?:${H}:){0,5}${H})\\b`;

/** Every IPv4 or IPv6 address, as the single capture group Alloy's replace stage masks. */
export const IP_ADDRESS_REGEX = `(${IPV6}|${IPV4})`;

/** What a masked address becomes. */
export const IP_MASK = "<ip>";
