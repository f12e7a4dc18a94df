import { Link } from "wouter";

/** A run's tags; each one links to the inbox filtered by it. Nothing for a run without tags. */
export function Tags({ tags }: { tags: readonly string[] }) {
  if (!tags.length) return null;
  return (
    <ul className="tags" aria-label="Tags">
      {tags.map((t) => (
        <li key={t}>
          <Link href={`/?tag=${encodeURIComponent(t)}`} className="tag" title={`Waiting runs tagged ${t}`}>
            {t}
          </Link>
        </li>
      ))}
    </ul>
  );
}
