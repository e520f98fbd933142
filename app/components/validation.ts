import { parse, type Submission } from "@conform-to/react";
import { useEffect } from "react";
import type { z } from "zod";
import type { SCHEMAS, SchemaName } from "./validation-schemas";

/**
 * conform's `onValidate` for a form, with its zod schema loaded when the form is first on the screen
 * rather than with the page (ADR 27). Until it has arrived — a few hundred milliseconds after the page
 * hydrates — a submission goes to the server as it is, which validates with the same schema and
 * answers with the same errors: the form works either way, as it does without JavaScript.
 */
type Schemas = typeof import("./validation-schemas");
let loaded: Schemas | null = null;
let requested = false;

function load(): void {
  if (requested) return;
  requested = true;
  void import("./validation-schemas").then((module) => {
    loaded = module;
  });
}

type Schema<Name extends SchemaName> = (typeof SCHEMAS)[Name];

/**
 * `shown`: whether the form is on the screen. A page whose component holds a form's hooks whether or
 * not it renders the form (the sign form for a signed-out visitor, say) passes false until it does,
 * so that the schemas are not loaded for nothing.
 */
export function useLazyValidation<Name extends SchemaName>(name: Name, shown = true) {
  useEffect(() => {
    if (shown) load();
  }, [shown]);
  return ({ formData }: { formData: FormData }) =>
    (loaded
      ? loaded.validate(name, formData)
      : parse(formData, { resolve: (payload) => ({ value: payload }) })) as Submission<
      z.input<Schema<Name>>,
      string[],
      z.output<Schema<Name>>
    >;
}

export type { SchemaName };
