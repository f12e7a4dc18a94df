import type { FastifyInstance, FastifyReply } from "fastify";
import type { AnswerLinkService, LinkOutcome } from "../answer-link-service.ts";
import { escapeHtml } from "../notifications/message.ts";

/**
 * The pages of answer links, outside the API: `GET /answer/{token}` shows what the link would answer
 * and a button (it changes nothing), `POST /answer/{token}` answers. Plain HTML with no script.
 */
export async function answerLinksRoute(app: FastifyInstance, service: AnswerLinkService, uiBase: () => string): Promise<void> {
  await app.register(async (scope) => {
    // The confirmation form posts no fields: the token in the address is the whole request.
    scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, _body, done) => done(null, undefined));
    scope.get<{ Params: { token: string } }>("/answer/:token", async (req, reply) => page(reply, await service.open(req.params.token), uiBase()));
    scope.post<{ Params: { token: string } }>("/answer/:token", async (req, reply) => page(reply, await service.answer(req.params.token), uiBase()));
  });
}

function page(reply: FastifyReply, outcome: LinkOutcome, base: string): FastifyReply {
  const { status, title, body } = view(outcome, base);
  return reply
    .status(status)
    .headers({
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "x-robots-tag": "noindex",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    })
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · Baton</title>` +
        `<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1b1f24}` +
        `button{font-size:1rem;padding:.6rem 1.2rem;border-radius:6px;border:0;background:#1f4fd1;color:#fff;cursor:pointer}` +
        `.muted{color:#57606a}pre{white-space:pre-wrap;background:#f6f8fa;padding:.75rem;border-radius:6px}</style></head>` +
        `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
    );
}

function view(o: LinkOutcome, base: string): { status: number; title: string; body: string } {
  const runLink = (id: string, name: string) => `<a href="${escapeHtml(`${base}/runs/${id}`)}">${escapeHtml(name)}</a>`;
  switch (o.kind) {
    case "invalid":
      return {
        status: 400,
        title: "This link is not valid",
        body: "<p>The link was changed or cut short, so it answers nothing. Open the link from the message again, whole, or answer in Baton's inbox.</p>",
      };
    case "gone":
      return { status: 404, title: "This run no longer exists", body: "<p>The run this link answers is not on this server.</p>" };
    case "confirm":
      return {
        status: 200,
        title: `Answer “${o.claims.label}”?`,
        body:
          `<p>Run ${runLink(o.run.id, o.run.name)} of <b>${escapeHtml(o.run.flowName)}</b> waits at pause “${escapeHtml(o.claims.key)}”.</p>` +
          (o.description ? `<pre>${escapeHtml(o.description)}</pre>` : "") +
          `<form method="post"><button type="submit">${escapeHtml(o.claims.label)}</button></form>` +
          `<p class="muted">Nothing is answered until you press the button.</p>`,
      };
    case "done":
      return {
        status: 200,
        title: `Answered “${o.claims.label}”`,
        body: `<p>Run ${runLink(o.run.id, o.run.name)} of <b>${escapeHtml(o.run.flowName)}</b> goes on (now ${escapeHtml(o.run.state.name)}).</p>`,
      };
    case "answered": {
      const { input } = o;
      const how = `through ${escapeHtml(input.channel ?? "?")}${input.respondedBy ? ` by ${escapeHtml(input.respondedBy)}` : ""} at ${escapeHtml(input.respondedAt ?? "")}`;
      return {
        status: 409,
        title: o.byThisLink ? "This link was already used" : "This question was already answered",
        body:
          `<p>Pause “${escapeHtml(o.claims.key)}” of run ${runLink(o.run.id, o.run.name)} was answered ${how}` +
          `${o.byThisLink ? "" : `, with <code>${escapeHtml(JSON.stringify(input.response ?? null))}</code>`}. A link answers once.</p>` +
          `<p>The run is now ${escapeHtml(o.run.state.name)}.</p>`,
      };
    }
    case "expired":
      return {
        status: 410,
        title: "This link has expired",
        body:
          o.run.state.type === "PAUSED" && o.run.state.details.pauseKey === o.claims.key
            ? `<p>Pause “${escapeHtml(o.claims.key)}” of run ${runLink(o.run.id, o.run.name)} timed out; what its timeout does (fail, cancel, or a default answer) happens in a moment.</p>`
            : `<p>Run ${runLink(o.run.id, o.run.name)} no longer waits at pause “${escapeHtml(o.claims.key)}”: it is ${escapeHtml(o.run.state.name)}` +
              `${o.run.state.message ? ` (${escapeHtml(o.run.state.message)})` : ""}. Links work only while their pause waits.</p>`,
      };
    case "refused":
      return { status: o.status, title: "This answer was refused", body: `<p>${escapeHtml(o.message)}</p>` };
  }
}
