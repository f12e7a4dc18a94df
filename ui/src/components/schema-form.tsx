import Form from "@rjsf/core";
import type { IChangeEvent } from "@rjsf/core";
import type { IconButtonProps, RJSFSchema, RJSFValidationError, UiSchema } from "@rjsf/utils";
import { customizeValidator } from "@rjsf/validator-ajv8";
import { Ajv2020 } from "ajv/dist/2020.js";
import { useMemo, type ReactNode } from "react";
import { annotationFormats, DIALECT_OPTIONS } from "../../../src/json-schema/dialect.ts";
import { formSchema, formUiSchema, type JsonSchema } from "../lib/form-schema.ts";
import { ZonedDateTimeWidget } from "./date-time-widget.tsx";
import type { ErrorTree } from "../lib/field-errors.ts";

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

/** Array and optional-field buttons as words, since the core theme's glyph icons are not loaded. */
function textButton(label: string, extraClass = "") {
  // biome-ignore lint/correctness/noComponentHookFactories: made once per button kind at module load, never in a render
  return function TextButton(props: IconButtonProps) {
    const { iconType: _i, icon: _icon, uiSchema: _u, registry: _r, className, ...rest } = props;
    return (
      <button type="button" {...rest} className={`btn btn-small ${extraClass} ${className ?? ""}`} aria-label={props.title ?? label}>
        {label}
      </button>
    );
  };
}

/** AJV's messages, said for a person: "is required" rather than "must have required property 'Name'". */
function transformErrors(errors: RJSFValidationError[]): RJSFValidationError[] {
  return errors.map((e) => {
    if (e.name === "required") return { ...e, message: "is required" };
    if (e.name === "pattern") return { ...e, message: `does not have the expected format (${String(e.params?.pattern ?? "")})` };
    if (e.name === "type") return { ...e, message: `must be ${e.params?.type === "integer" ? "a whole number" : `a ${String(e.params?.type)}`}` };
    return e;
  });
}

const templates = {
  ButtonTemplates: {
    AddButton: textButton("+ Add item", "btn-add"),
    RemoveButton: textButton("Remove", "btn-remove"),
    MoveUpButton: textButton("↑"),
    MoveDownButton: textButton("↓"),
    CopyButton: textButton("Copy"),
    ClearButton: textButton("Clear"),
  },
};

/** A date and time is typed in the person's chosen zone, and said back with it. */
const widgets = { DateTimeWidget: ZonedDateTimeWidget };

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
  const uiSchema = useMemo(() => formUiSchema(props.schema) as UiSchema, [props.schema]);
  const validator = useMemo(() => validatorFor(schema), [schema]);
  const problem = useMemo(() => unusable(validator, schema), [validator, schema]);
  if (problem)
    return (
      <div className="banner banner-error" role="alert">
        This form cannot be shown: {problem}. The flow must change the schema it asks with.
      </div>
    );
  return (
    <Form
      className="schema-form"
      schema={schema}
      uiSchema={uiSchema}
      formData={props.formData}
      validator={validator}
      templates={templates}
      widgets={widgets}
      extraErrors={props.extraErrors as never}
      transformErrors={transformErrors}
      showErrorList={false}
      noHtml5Validate
      focusOnFirstError
      liveValidate={false}
      disabled={props.disabled ?? false}
      idPrefix={props.idPrefix ?? "answer"}
      onChange={(e: IChangeEvent) => props.onChange(e.formData)}
      onSubmit={(e: IChangeEvent) => props.onSubmit(e.formData)}
    >
      {props.children}
    </Form>
  );
}
