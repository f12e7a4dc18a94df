import DOMPurify, { type Config } from "dompurify";
import { marked } from "marked";

/**
 * Markdown written by flow authors, turned into HTML that cannot run anything: marked renders it, then
 * DOMPurify removes scripts, event handlers, `javascript:` links, forms and styles. Links open in a new tab.
 */

let purifier: typeof DOMPurify | undefined;

function purify(): typeof DOMPurify {
  if (!purifier) {
    purifier = DOMPurify;
    purifier.addHook("afterSanitizeAttributes", (node) => {
      if (node.tagName === "A" && node.getAttribute("href")) {
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer nofollow");
      }
    });
  }
  return purifier;
}

const BLOCK: Config = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "option", "iframe", "object", "embed"],
  FORBID_ATTR: ["style", "class", "id"],
  ADD_ATTR: ["target"],
};

/** Markdown to sanitized HTML, for a description shown above a form. */
export function renderMarkdown(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true });
  return purify().sanitize(html, { ...BLOCK, RETURN_TRUSTED_TYPE: false }) as string;
}

/** One line of Markdown as inline HTML with emphasis and code only (safe inside a link or a list row). */
export function renderInlineMarkdown(line: string): string {
  const html = marked.parseInline(line, { async: false, gfm: true });
  return purify().sanitize(html, { ALLOWED_TAGS: ["strong", "em", "code", "del", "b", "i"], ALLOWED_ATTR: [], RETURN_TRUSTED_TYPE: false }) as string;
}
