import Form from "@rjsf/core";
import type { IChangeEvent } from "@rjsf/core";
import type { IconButtonProps, RJSFSchema, UiSchema } from "@rjsf/utils";
import { customizeValidator } from "@rjsf/validator-ajv8";
import { Ajv2020 } from "ajv/dist/2020.js";
import { type ReactNode, useLayoutEffect, useMemo, useRef, useState } from "react";
import { annotationFormats, DIALECT_OPTIONS } from "../../../src/json-schema/dialect.ts";
import { formSchema, formUiSchema, type JsonSchema } from "../lib/form-schema.ts";
import { ZonedDateTimeWidget } from "./date-time-widget.tsx";
import { type ErrorTree, formErrorsInWords, propertyKeys } from "../lib/field-errors.ts";

/**
 * The server checks answers with AJV's 2020-12 dialect, patterns on RE2 (src/json-schema/dialect.ts);
 * the browser uses the same, so that both accept exactly the same answers. One validator per schema, as
 * on the server: a `$id` never meets another schema's.
 */
function validatorFor(schema: RJSFSchema) {
  return customizeValidator({
    AjvClass: Ajv2020 as never,
    ajvOptionsOverrides: DIALECT_OPTIONS as never,
    customFormats: Object.fromEntries(annotationFormats(schema).map((name) => [name, () => true])),
  });
}

/** Why the browser cannot make a form of `schema` (a JSON Schema as the API returns it), in words; undefined when it can. */
export function schemaProblem(schema: JsonSchema): string | undefined {
  const prepared = formSchema(schema) as RJSFSchema;
  return unusable(validatorFor(prepared), prepared);
}

function unusable(validator: ReturnType<typeof validatorFor>, schema: RJSFSchema): string | undefined {
  try {
    validator.ajv.compile(schema);
    return undefined;
  } catch (e) {
    const re2 = /^error parsing regexp: (.*)$/.exec((e as Error).message);
    return re2 ? `one of its patterns is not supported (${re2[1]})` : (e as Error).message;
  }
}

/**
 * Array and optional-field buttons as words, since the core theme's glyph icons are not loaded; each names
 * the list it acts on ("Add item to Tags", "Remove item 2 of Tags"), told by the list's `ui:listName`.
 */
function textButton(label: string, action: (list: string, item: string) => string, extraClass = "") {
  // biome-ignore lint/correctness/noComponentHookFactories: made once per button kind at module load, never in a render
  return function TextButton(props: IconButtonProps) {
    const { iconType: _i, icon: _icon, uiSchema, registry: _r, className, ...rest } = props;
    const list = typeof uiSchema?.["ui:listName"] === "string" ? uiSchema["ui:listName"] : "the list";
    const index = /_(\d+)__\w+$/.exec(props.id ?? "")?.[1];
    return (
      <button
        type="button"
        {...rest}
        className={`btn btn-small ${extraClass} ${className ?? ""}`}
        aria-label={action(list, index === undefined ? "" : String(Number(index) + 1))}
      >
        {label}
      </button>
    );
  };
}

const templates = {
  ButtonTemplates: {
    AddButton: textButton("+ Add item", (list) => `Add item to ${list}`, "btn-add"),
    RemoveButton: textButton("Remove", (list, item) => `Remove item ${item} of ${list}`, "btn-remove"),
    MoveUpButton: textButton("↑", (list, item) => `Move item ${item} of ${list} up`),
    MoveDownButton: textButton("↓", (list, item) => `Move item ${item} of ${list} down`),
    CopyButton: textButton("Copy", (list, item) => `Copy item ${item} of ${list}`),
    ClearButton: textButton("Clear", () => "Clear"),
  },
};

/** A date and time is typed in the person's chosen zone, and said back with it. */
const widgets = { DateTimeWidget: ZonedDateTimeWidget };

/**
 * Moves focus to the field of the first error: RJSF's own way takes a select's first option for a list of
 * radio buttons, and so focuses nothing. A group (radio buttons, a list) gets its first control.
 */
function focusField(form: HTMLElement | null, id: string): void {
  const field = form?.querySelector<HTMLElement>(`#${CSS.escape(id)}`);
  const target = field?.matches("input, select, textarea, button")
    ? field
    : form?.querySelector<HTMLElement>(`[id^="${CSS.escape(id)}"]:is(input, select, textarea)`);
  target?.focus();
}

/** Marks the fields with an error `aria-invalid`: RJSF links each to its message (aria-describedby) but does not say it is wrong. */
function markInvalid(form: HTMLElement | null): void {
  if (!form) return;
  const wrong = new Set([...form.querySelectorAll("[id$='__error']")].map((e) => e.id.slice(0, -"__error".length)));
  for (const el of form.querySelectorAll("input, select, textarea")) {
    if (wrong.has(el.id)) el.setAttribute("aria-invalid", "true");
    else el.removeAttribute("aria-invalid");
  }
}

/** Options of `SchemaForm`. */
export interface SchemaFormProps {
  schema: JsonSchema;
  formData: unknown;
  onChange(formData: unknown): void;
  /** Called with the answer once the browser's validation passed. */
  onSubmit(formData: unknown): void;
  /** Errors the server reported, shown on their fields. */
  extraErrors?: ErrorTree | undefined;
  disabled?: boolean;
  /** Distinguishes field ids when two forms are on one page. */
  idPrefix?: string;
  /** The form's buttons (a submit button among them). */
  children: ReactNode;
}

/**
 * A form generated from a JSON Schema by react-jsonschema-form, validated in the browser by AJV before
 * `onSubmit` is called: wrong types, missing required fields, enums, bounds, nested objects and arrays.
 */
export function SchemaForm(props: SchemaFormProps) {
  const schema = useMemo(() => formSchema(props.schema) as RJSFSchema, [props.schema]);
  const uiSchema = useMemo(() => formUiSchema(schema as JsonSchema) as UiSchema, [schema]);
  const validator = useMemo(() => validatorFor(schema), [schema]);
  const problem = useMemo(() => unusable(validator, schema), [validator, schema]);
  const box = useRef<HTMLDivElement>(null);
  // Said once per refused submit by a live region: how many fields need a correction, and which.
  const [announced, setAnnounced] = useState("");
  useLayoutEffect(() => markInvalid(box.current));
  if (problem)
    return (
      <div className="banner banner-error" role="alert">
        This form cannot be shown: {problem}. The flow must change the schema it asks with.
      </div>
    );
  return (
    <div ref={box}>
      <p className="visually-hidden" role="alert" data-testid="form-errors-announced">
        {announced}
      </p>
      <Form
        className="schema-form"
        schema={schema}
        uiSchema={uiSchema}
        formData={props.formData}
        validator={validator}
        templates={templates}
        widgets={widgets}
        extraErrors={props.extraErrors as never}
        transformErrors={(errors) => formErrorsInWords(schema as JsonSchema, errors)}
        showErrorList={false}
        noHtml5Validate
        focusOnFirstError={(e) => focusField(box.current, [props.idPrefix ?? "answer", ...propertyKeys(e.property)].join("_"))}
        liveValidate={false}
        disabled={props.disabled ?? false}
        idPrefix={props.idPrefix ?? "answer"}
        onChange={(e: IChangeEvent) => props.onChange(e.formData)}
        onError={(errors) =>
          setAnnounced(
            `${errors.length === 1 ? "One field needs" : `${errors.length} fields need`} a correction: ${errors.map((e) => e.message).join("; ")}.`,
          )
        }
        onSubmit={(e: IChangeEvent) => {
          setAnnounced("");
          props.onSubmit(e.formData);
        }}
      >
        {props.children}
      </Form>
    </div>
  );
}
