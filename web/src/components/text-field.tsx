import type { InputHTMLAttributes } from 'react';
import { FieldError, hasFieldError } from './problem-view.tsx';

interface TextFieldProps extends InputHTMLAttributes<HTMLInputElement> {
  /** The visible label. */
  label: string;
  /** The API's name of the field, whose errors show under it. */
  field: string;
  error: unknown;
  /** What the field takes, shown under it before any answer. */
  hint?: string;
}

/** A labelled input with the API's messages about it underneath. */
export function TextField({ label, field, error, hint, id, ...input }: TextFieldProps) {
  const inputId = id ?? `field-${field}`;
  const errorId = `${inputId}-error`;
  const hintId = `${inputId}-hint`;
  const invalid = hasFieldError(error, field);
  const describedBy = [hint ? hintId : '', invalid ? errorId : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        name={field}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {hint ? (
        <p className="muted hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <FieldError id={errorId} error={error} field={field} />
    </div>
  );
}
