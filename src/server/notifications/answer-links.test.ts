import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { toInputRequest } from "../../sdk/run-input.ts";
import { AnswerLinks, choicesOf } from "./answer-links.ts";

test("one-click choices: Resume for no input, Approve/Reject for one boolean, one per option of one enum, none otherwise", () => {
  const labels = (schema: z.ZodType | null) => choicesOf(schema ? toInputRequest(schema) : null).map((c) => [c.label, c.input]);
  assert.deepEqual(labels(null), [["Resume", undefined]]);
  assert.deepEqual(labels(z.object({ approved: z.boolean() })), [
    ["Approve", { approved: true }],
    ["Reject", { approved: false }],
  ]);
  assert.deepEqual(labels(z.boolean()), [
    ["Approve", true],
    ["Reject", false],
  ]);
  assert.deepEqual(labels(z.object({ size: z.enum(["S", "M"]) })), [
    ["S", { size: "S" }],
    ["M", { size: "M" }],
  ]);
  assert.deepEqual(labels(z.object({ approved: z.boolean(), comment: z.string() })), []);
  assert.deepEqual(labels(z.object({ name: z.string() })), []);
});

test("a link verifies with its secret only, and any change to its claims breaks it", () => {
  const links = new AnswerLinks("a-secret-of-enough-length", () => "http://baton.test");
  const token = links.sign({
    flowRunId: "run-1",
    key: "approval",
    input: { approved: true },
    label: "Approve",
    expiresAt: 2_000_000_000,
    sentTo: null,
  });
  assert.deepEqual(links.verify(token), {
    flowRunId: "run-1",
    key: "approval",
    input: { approved: true },
    label: "Approve",
    expiresAt: 2_000_000_000,
    sentTo: null,
  });
  const toAda = links.sign({ flowRunId: "run-1", key: "approval", input: true, label: "Approve", expiresAt: null, sentTo: "ada@example.test" });
  assert.equal(links.verify(toAda)!.sentTo, "ada@example.test", "whom a link was sent to is signed with it");
  const [adaBody, adaMac] = toAda.split(".");
  const rewritten = Buffer.from(Buffer.from(adaBody!, "base64url").toString().replace("ada@", "eve@")).toString("base64url");
  assert.equal(links.verify(`${rewritten}.${adaMac}`), undefined, "nor can it be sent to someone else");
  assert.equal(new AnswerLinks("another-secret-of-enough-length", () => "").verify(token), undefined);
  const [body, mac] = token.split(".");
  const changed = Buffer.from(Buffer.from(body!, "base64url").toString().replace("run-1", "run-2")).toString("base64url");
  assert.equal(links.verify(`${changed}.${mac}`), undefined);
  assert.equal(links.verify(`${body}.`), undefined);
  assert.equal(links.verify("garbage"), undefined);
  const [link] = links.linksFor("run-1", "1", null, null);
  assert.match(link!.url, /^http:\/\/baton\.test\/answer\/[\w-]+\.[\w-]+$/);
});
