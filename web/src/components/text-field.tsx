import type { InputHTMLAttributes } from 'react';
import { FieldError, hasFieldError } from './problem-view.tsx';

interface TextFieldProps extends InputHTMLAttributes<HTMLInputElement> {
  /** The visible label. */
  label: string;
  /** The API's name of the field, whose errors show under it. */
  field: string;
  error: unknown;
}

/** A labelled input with the API's messages about it underneath. */
export function TextField({ label, field, error, id, ...input }: TextFieldProps) {
  const inputId = id ?? `field-${field}`;
  const errorId = `${inputId}-error`;
  const invalid = hasFieldError(error, field);
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        name={field}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? errorId : undefined}
        {...input}
      />
      <FieldError id={errorId} error={error} field={field} />
    </div>
  );
}
