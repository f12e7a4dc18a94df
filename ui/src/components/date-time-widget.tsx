import { getTemplate, type WidgetProps } from "@rjsf/utils";
import { dateTime, fromZonedInput, timeZone, toZonedInput } from "../lib/format.ts";
import { useTimeZone } from "./time.tsx";

/**
 * A `date-time` field typed on a clock in the person's chosen zone (display settings), and said back
 * with that zone and as the UTC instant that will be sent, so that "10:30" never silently changes zone.
 */
export function ZonedDateTimeWidget(props: WidgetProps) {
  const { id, value, onChange, options, registry } = props;
  useTimeZone();
  const BaseInputTemplate = getTemplate("BaseInputTemplate", registry, options);
  const iso = typeof value === "string" && !Number.isNaN(Date.parse(value)) ? value : undefined;
  return (
    <>
      <BaseInputTemplate
        {...props}
        type="datetime-local"
        value={iso ? toZonedInput(iso) : ""}
        onChange={(local: string) => onChange(local ? fromZonedInput(local) : undefined)}
        aria-describedby={`${id}-zone`}
      />
      <p className="field-zone small muted" id={`${id}-zone`} data-testid="date-time-zone">
        {iso ? (
          <>
            {dateTime(iso)} ({timeZone()}), sent as {new Date(iso).toISOString()}
          </>
        ) : (
          <>Typed in {timeZone()}; change the zone in Display.</>
        )}
      </p>
    </>
  );
}
