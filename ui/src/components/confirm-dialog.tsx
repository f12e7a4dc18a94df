import { useEffect, useRef, type ReactNode } from "react";

/** Options of `ConfirmDialog`. */
export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  /** A red confirm button, for what cannot be undone. */
  danger?: boolean;
  busy?: boolean;
  onConfirm(): void;
  onClose(): void;
}

/**
 * A modal question (the browser's own `<dialog>`: focus stays inside, Escape closes it). The confirm
 * button is focused first only when the action is harmless; otherwise Cancel is.
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={ref} className="dialog" onClose={props.onClose} aria-labelledby="dialog-title">
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          props.onConfirm();
        }}
      >
        <h2 id="dialog-title">{props.title}</h2>
        <div className="dialog-body">{props.children}</div>
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={props.onClose} autoFocus={props.danger}>
            {props.cancelLabel ?? "Go back"}
          </button>
          <button type="submit" className={`btn ${props.danger ? "btn-danger" : "btn-primary"}`} disabled={props.busy} autoFocus={!props.danger}>
            {props.busy ? "Working…" : props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
