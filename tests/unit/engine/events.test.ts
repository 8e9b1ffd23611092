import { readJsonOutput } from "../../kit/engine/events";

test("a CLI killed mid-write: its cut-short last event line is not an event, the whole ones before it are", () => {
  const plan = JSON.stringify({ steps: [{ op: "create", urn: "urn:a" }], changeSummary: { create: 2 } });
  const event = (sequence: number, urn: string) =>
    JSON.stringify({ sequence, resOutputsEvent: { metadata: { op: "create", urn } } });
  const whole = `${plan}\n${event(1, "urn:a")}\n${event(2, "urn:b")}\n`;
  expect(readJsonOutput(whole).applied.map((s) => s.urn)).toEqual(["urn:a", "urn:b"]);
  const killed = `${whole}${event(3, "urn:c").slice(0, 30)}`;
  expect(readJsonOutput(killed).applied.map((s) => s.urn)).toEqual(["urn:a", "urn:b"]);
});
