// LogQL parsed with the grammar Grafana publishes (@grafana/lezer-logql) into the few constructs
// the stand-in evaluates: those the stack's dashboards, log alert rules, `npm run verify` and the
// tests send. Every other construct is refused with its name, never evaluated approximately.
import { parser } from "@grafana/lezer-logql";
import { SyntaxNode } from "@lezer/common";
import { stringValue } from "../../../config/promql/queryStrings";

export type MatchOperator = "=" | "!=" | "=~" | "!~";

export interface LabelMatcher {
  readonly name: string;
  readonly op: MatchOperator;
  readonly value: string;
}

export type PipelineStage =
  | { readonly kind: "lineFilter"; readonly op: "|=" | "!=" | "|~" | "!~"; readonly value: string }
  | { readonly kind: "json" }
  | { readonly kind: "logfmt" }
  | { readonly kind: "labelFilter"; readonly matcher: LabelMatcher };

export interface LogQuery {
  readonly kind: "log";
  readonly selector: readonly LabelMatcher[];
  readonly pipeline: readonly PipelineStage[];
}

export type ComparisonOperator = ">" | ">=" | "<" | "<=" | "==" | "!=";

export type MetricQuery =
  | {
      readonly kind: "range";
      readonly op: "count_over_time" | "rate";
      readonly log: LogQuery;
      readonly rangeMs: number;
      readonly offsetMs: number;
    }
  | {
      readonly kind: "sum";
      readonly grouping?: { readonly by: boolean; readonly labels: readonly string[] };
      readonly inner: MetricQuery;
    }
  | {
      readonly kind: "compare";
      readonly op: ComparisonOperator;
      readonly vector: MetricQuery;
      readonly scalar: number;
      /** `scalar op vector` rather than `vector op scalar`. */
      readonly scalarFirst: boolean;
    }
  | { readonly kind: "unless"; readonly left: MetricQuery; readonly right: MetricQuery }
  | {
      readonly kind: "labelReplace";
      readonly inner: MetricQuery;
      readonly destination: string;
      readonly replacement: string;
      readonly source: string;
      readonly regex: string;
    };

export type Query = LogQuery | MetricQuery;

/** A query Loki would refuse to parse: answered 400 as Loki answers it. */
export class LogqlParseError extends Error {}

/** A query Loki parses but the stand-in does not evaluate: answered 400, naming the construct. */
export class LogqlNotEvaluated extends Error {}

const MATCH_OPERATORS: Readonly<Record<string, MatchOperator>> = { Eq: "=", Neq: "!=", Re: "=~", Nre: "!~" };
const LINE_FILTERS: Readonly<Record<string, "|=" | "!=" | "|~" | "!~">> = {
  PipeExact: "|=",
  Neq: "!=",
  PipeMatch: "|~",
  Nre: "!~",
};
const COMPARISONS: Readonly<Record<string, ComparisonOperator>> = {
  Gtr: ">",
  Gte: ">=",
  Lss: "<",
  Lte: "<=",
  Eql: "==",
  Neq: "!=",
};
const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60000,
  h: 3600000,
  d: 86400000,
  w: 604800000,
  y: 31536000000,
};

export function parseLogql(expression: string): Query {
  const tree = parser.parse(expression);
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) {
        const before = expression.slice(0, node.from).split("\n");
        throw new LogqlParseError(
          `parse error at line ${before.length}, col ${before[before.length - 1].length + 1}: syntax error near ${JSON.stringify(expression.slice(node.from, node.from + 20))}`,
        );
      }
    },
  });
  const top = tree.topNode.getChild("Expr");
  if (top === null) {
    throw new LogqlParseError("parse error: empty query");
  }
  return new Reader(expression).expr(top);
}

class Reader {
  constructor(private readonly text: string) {}

  private source = (node: SyntaxNode): string => this.text.slice(node.from, node.to);

  private refuse(node: SyntaxNode, what = node.name): never {
    throw new LogqlNotEvaluated(
      `the Loki stand-in does not evaluate ${what} (${JSON.stringify(this.source(node))}); it evaluates stream selectors, line filters, | json, | logfmt, label matchers, count_over_time, rate, offset, sum [by|without], comparisons with a number, unless and label_replace`,
    );
  }

  private children = (node: SyntaxNode): SyntaxNode[] => {
    const all: SyntaxNode[] = [];
    for (let child = node.firstChild; child !== null; child = child.nextSibling) {
      all.push(child);
    }
    return all;
  };

  private only(node: SyntaxNode, allowed: readonly string[]): SyntaxNode[] {
    const kids = this.children(node);
    const other = kids.find((kid) => !allowed.includes(kid.name));
    if (other !== undefined) {
      this.refuse(other);
    }
    return kids;
  }

  private string = (node: SyntaxNode): string => {
    const value = stringValue(this.source(node));
    if (value === undefined) {
      throw new LogqlParseError(`parse error: invalid string ${this.source(node)}`);
    }
    return value;
  };

  expr(node: SyntaxNode): Query {
    const [inner] = this.only(node, ["LogExpr", "MetricExpr"]);
    return inner.name === "LogExpr" ? this.log(inner) : this.metric(inner);
  }

  private log(node: SyntaxNode): LogQuery {
    const kids = this.only(node, ["Selector", "PipelineExpr", "LogExpr"]);
    if (kids[0].name === "LogExpr") {
      return this.log(kids[0]);
    }
    const pipeline = kids.find((k) => k.name === "PipelineExpr");
    return {
      kind: "log",
      selector: this.selector(kids[0]),
      pipeline: pipeline === undefined ? [] : this.pipeline(pipeline),
    };
  }

  private selector(node: SyntaxNode): LabelMatcher[] {
    const matchers = this.only(node, ["Matchers"])[0];
    return matchers === undefined ? [] : this.matchers(matchers);
  }

  private matchers(node: SyntaxNode): LabelMatcher[] {
    return this.only(node, ["Matchers", "Matcher"]).flatMap((kid) =>
      kid.name === "Matchers" ? this.matchers(kid) : [this.matcher(kid)],
    );
  }

  private matcher(node: SyntaxNode): LabelMatcher {
    const [name, op, value] = this.only(node, ["Identifier", "Eq", "Neq", "Re", "Nre", "String"]);
    return { name: this.source(name), op: MATCH_OPERATORS[op.name], value: this.string(value) };
  }

  private pipeline(node: SyntaxNode): PipelineStage[] {
    return this.only(node, ["PipelineExpr", "PipelineStage"]).flatMap((kid) =>
      kid.name === "PipelineExpr" ? this.pipeline(kid) : this.stage(kid),
    );
  }

  private stage(node: SyntaxNode): PipelineStage[] {
    const kids = this.only(node, ["Pipe", "LineFilters", "LabelParser", "LogfmtParser", "LabelFilter"]);
    const stage = kids[kids.length - 1];
    switch (stage.name) {
      case "LineFilters":
        return this.lineFilters(stage);
      case "LabelParser": {
        const parsers = this.only(stage, ["Json"]);
        if (parsers.length !== 1 || this.source(stage) !== "json") {
          this.refuse(stage, "a parser with parameters");
        }
        return [{ kind: "json" }];
      }
      case "LogfmtParser":
        if (this.only(stage, ["Logfmt"]).length !== 1) {
          this.refuse(stage, "logfmt with flags");
        }
        return [{ kind: "logfmt" }];
      default: {
        const [matcher] = this.only(stage, ["Matcher"]);
        return [{ kind: "labelFilter", matcher: this.matcher(matcher) }];
      }
    }
  }

  private lineFilters(node: SyntaxNode): PipelineStage[] {
    return this.only(node, ["LineFilters", "LineFilter"]).flatMap((kid) => {
      if (kid.name === "LineFilters") {
        return this.lineFilters(kid);
      }
      const [filter, value, ...rest] = this.only(kid, ["Filter", "String"]);
      if (rest.length > 0 || value === undefined) {
        this.refuse(kid, "a line filter with alternatives");
      }
      const [op] = this.only(filter, ["PipeExact", "Neq", "PipeMatch", "Nre"]);
      return [{ kind: "lineFilter" as const, op: LINE_FILTERS[op.name], value: this.string(value) }];
    });
  }

  private metric(node: SyntaxNode): MetricQuery {
    const kids = this.only(node, [
      "MetricExpr",
      "RangeAggregationExpr",
      "VectorAggregationExpr",
      "BinOpExpr",
      "LabelReplaceExpr",
    ]);
    const [inner] = kids;
    switch (inner.name) {
      case "MetricExpr":
        return this.metric(inner);
      case "RangeAggregationExpr":
        return this.rangeAggregation(inner);
      case "VectorAggregationExpr":
        return this.vectorAggregation(inner);
      case "BinOpExpr":
        return this.binary(inner);
      default:
        return this.labelReplace(inner);
    }
  }

  private rangeAggregation(node: SyntaxNode): MetricQuery {
    const [op, range, ...rest] = this.only(node, ["RangeOp", "LogRangeExpr"]);
    if (rest.length > 0) {
      this.refuse(node, "a range aggregation with parameters or grouping");
    }
    const [fn] = this.only(op, ["CountOverTime", "Rate"]);
    const parts = this.only(range, ["Selector", "PipelineExpr", "Range", "OffsetExpr", "LogRangeExpr"]);
    const selector = parts.find((p) => p.name === "Selector");
    if (selector === undefined) {
      this.refuse(range, "a range expression in this form");
    }
    const pipeline = parts.find((p) => p.name === "PipelineExpr");
    const duration = (parts.find((p) => p.name === "Range") as SyntaxNode).getChild("Duration");
    const offset = parts.find((p) => p.name === "OffsetExpr")?.getChild("Duration");
    return {
      kind: "range",
      op: fn.name === "Rate" ? "rate" : "count_over_time",
      log: {
        kind: "log",
        selector: this.selector(selector),
        pipeline: pipeline === undefined ? [] : this.pipeline(pipeline),
      },
      rangeMs: this.duration(duration as SyntaxNode),
      offsetMs: offset === undefined || offset === null ? 0 : this.duration(offset),
    };
  }

  private duration(node: SyntaxNode): number {
    const text = this.source(node);
    let total = 0;
    const pattern = /([0-9]+)(ms|s|m|h|d|w|y)/gy;
    let match: RegExpExecArray | null;
    let consumed = 0;
    while ((match = pattern.exec(text)) !== null) {
      total += Number(match[1]) * DURATION_UNITS[match[2]];
      consumed = pattern.lastIndex;
    }
    if (consumed !== text.length || text === "") {
      this.refuse(node, "a duration in this form");
    }
    return total;
  }

  private vectorAggregation(node: SyntaxNode): MetricQuery {
    const kids = this.only(node, ["VectorOp", "Grouping", "MetricExpr"]);
    const [op] = this.only(kids[0], ["Sum"]);
    if (op === undefined) {
      this.refuse(kids[0]);
    }
    const grouping = kids.find((k) => k.name === "Grouping");
    const inner = kids.find((k) => k.name === "MetricExpr") as SyntaxNode;
    if (grouping === undefined) {
      return { kind: "sum", inner: this.metric(inner) };
    }
    const [how, labels] = this.only(grouping, ["By", "Without", "Labels"]);
    return {
      kind: "sum",
      grouping: { by: how.name === "By", labels: labels === undefined ? [] : this.labelList(labels) },
      inner: this.metric(inner),
    };
  }

  private labelList(node: SyntaxNode): string[] {
    return this.only(node, ["Labels", "Identifier"]).flatMap((kid) =>
      kid.name === "Labels" ? this.labelList(kid) : [this.source(kid)],
    );
  }

  private binary(node: SyntaxNode): MetricQuery {
    const [left, op, modifier, right, ...rest] = this.children(node);
    if (rest.length > 0 || modifier?.name !== "BinOpModifier" || this.source(modifier) !== "") {
      this.refuse(node, "a binary operation with a modifier (bool, on, ignoring, group_left/right)");
    }
    if (op.name === "Unless") {
      return { kind: "unless", left: this.operand(left), right: this.operand(right) };
    }
    const comparison = COMPARISONS[op.name];
    if (comparison === undefined) {
      this.refuse(op, `the operator ${this.source(op)}`);
    }
    const number = (side: SyntaxNode) => {
      const literal = side.getChild("MetricExpr")?.getChild("LiteralExpr");
      return literal === null || literal === undefined ? undefined : Number(this.source(literal));
    };
    const [l, r] = [number(left), number(right)];
    if ((l === undefined) === (r === undefined)) {
      this.refuse(node, "a comparison that is not between a vector and a number");
    }
    return r !== undefined
      ? { kind: "compare", op: comparison, vector: this.operand(left), scalar: r, scalarFirst: false }
      : {
          kind: "compare",
          op: comparison,
          vector: this.operand(right),
          scalar: l as number,
          scalarFirst: true,
        };
  }

  private operand(node: SyntaxNode): MetricQuery {
    const [inner] = this.only(node, ["MetricExpr"]);
    if (inner === undefined) {
      this.refuse(node, "a log query as an operand");
    }
    return this.metric(inner);
  }

  private labelReplace(node: SyntaxNode): MetricQuery {
    const [, inner, ...strings] = this.only(node, ["LabelReplace", "MetricExpr", "String"]);
    if (strings.length !== 4) {
      this.refuse(node, "label_replace without its four strings");
    }
    const [destination, replacement, source, regex] = strings.map(this.string);
    return { kind: "labelReplace", inner: this.metric(inner), destination, replacement, source, regex };
  }
}
