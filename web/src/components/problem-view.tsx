import { ApiProblem } from '../api.ts';
import { withFieldLabels } from './field-labels.ts';

/**
 * The messages the API gave about one field, shown under it (and linked to it by `id`), with the
 * form's labels for the API's field names.
 */
export function FieldError({ id, error, field }: { id: string; error: unknown; field: string }) {
  const messages = error instanceof ApiProblem ? error.forField(field) : [];
  if (messages.length === 0) return null;
  return (
    <p className="field-error" id={id} role="alert">
      {withFieldLabels(messages.join('; '))}
    </p>
  );
}

/** Whether the API named this field in its answer: marks the field invalid for assistive technology. */
export function hasFieldError(error: unknown, field: string): boolean {
  return error instanceof ApiProblem && error.forField(field).length > 0;
}

/** An error that belongs to no one field: the API's detail (fields named as the form names them), or a network failure. */
export function ProblemMessage({ error, skipFields = [] }: { error: unknown; skipFields?: string[] }) {
  if (!error) return null;
  if (error instanceof ApiProblem) {
    // Shown under their fields already.
    if (error.errors.length > 0 && error.errors.every((e) => skipFields.some((f) => e.field.startsWith(f)))) {
      return null;
    }
    return (
      <p className="problem" role="alert">
        {withFieldLabels(error.detail)}
      </p>
    );
  }
  return (
    <p className="problem" role="alert">
      The API could not be reached: {error instanceof Error ? error.message : String(error)}
    </p>
  );
}
