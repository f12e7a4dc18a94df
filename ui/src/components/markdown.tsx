import { useMemo } from "react";
import { renderInlineMarkdown, renderMarkdown } from "../lib/markdown.ts";

/** A flow author's Markdown, sanitized: nothing in it can run. */
export function Markdown({ text, className }: { text: string; className?: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  // biome-ignore lint/security/noDangerouslySetInnerHtml: renderMarkdown sanitizes with DOMPurify, and the CSP refuses inline scripts
  return <div className={`markdown ${className ?? ""}`} dangerouslySetInnerHTML={{ __html: html }} />;
}

/** One line of Markdown, inline (emphasis and code only). */
export function InlineMarkdown({ text }: { text: string }) {
  const html = useMemo(() => renderInlineMarkdown(text), [text]);
  // biome-ignore lint/security/noDangerouslySetInnerHtml: renderInlineMarkdown sanitizes with DOMPurify
  return <span dangerouslySetInnerHTML={{ __html: html }} />;
}
