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
  const fragment = purify().sanitize(html, { ...BLOCK, RETURN_DOM_FRAGMENT: true });
  const box = document.createElement("div");
  box.append(readable(fragment));
  return box.innerHTML;
}

/**
 * What sanitizing leaves, made readable for everyone: a link whose dangerous target was removed becomes its
 * text; an image without a description becomes a link to it named by its file; headings start below the
 * heading of the pane they sit in (h1 → h3); a code block can be reached and scrolled by keyboard.
 */
function readable(root: DocumentFragment): DocumentFragment {
  for (const a of root.querySelectorAll("a:not([href])")) a.replaceWith(...a.childNodes);
  for (const img of root.querySelectorAll("img")) {
    const src = img.getAttribute("src") ?? "";
    const alt = img.getAttribute("alt")?.trim();
    if (alt) continue;
    const name = decodeURIComponent(src.split(/[?#]/)[0]!.split("/").pop() || "") || "an image";
    if (!/^https?:/i.test(src)) {
      img.replaceWith(`[image: ${name}]`);
      continue;
    }
    const link = document.createElement("a");
    link.href = src;
    link.target = "_blank";
    link.rel = "noopener noreferrer nofollow";
    link.textContent = `Image: ${name}`;
    img.replaceWith(link);
  }
  for (const h of root.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const shifted = document.createElement(`h${Math.min(6, Number(h.tagName[1]) + 2)}`);
    shifted.append(...h.childNodes);
    h.replaceWith(shifted);
  }
  for (const pre of root.querySelectorAll("pre")) {
    pre.setAttribute("tabindex", "0");
    pre.setAttribute("role", "region");
    pre.setAttribute("aria-label", "Code block");
  }
  return root;
}

/** One line of Markdown as inline HTML with emphasis and code only (safe inside a link or a list row). */
export function renderInlineMarkdown(line: string): string {
  const html = marked.parseInline(line, { async: false, gfm: true });
  return purify().sanitize(html, { ALLOWED_TAGS: ["strong", "em", "code", "del", "b", "i"], ALLOWED_ATTR: [], RETURN_TRUSTED_TYPE: false }) as string;
}
