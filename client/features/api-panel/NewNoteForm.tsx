import type { FormEvent } from 'react';
import { useId, useRef, useState } from 'react';
import { ErrorAlert } from '../../ui/ErrorAlert.tsx';
import { useCreateNote } from './useNoteMutations.ts';

const MAX_NOTE_LENGTH = 500;

export function NewNoteForm({ onAdded }: { onAdded: () => void }) {
  const create = useCreateNote();
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const hintId = useId();

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (create.isPending) return;
    const trimmed = text.trim();
    if (trimmed === '') {
      setInvalid(true);
      inputRef.current?.focus();
      return;
    }
    setInvalid(false);
    create.mutate(trimmed, {
      onSuccess: () => {
        setText('');
        onAdded();
      },
    });
  }

  return (
    // noValidate: our own message is announced and styled consistently, unlike the browser bubble.
    <form className="note-form" onSubmit={submit} noValidate>
      <label htmlFor={inputId}>New note</label>
      <div className="note-form-row">
        <input
          ref={inputRef}
          id={inputId}
          type="text"
          value={text}
          onChange={(event) => setText(event.target.value)}
          maxLength={MAX_NOTE_LENGTH}
          autoComplete="off"
          aria-invalid={invalid || undefined}
          aria-describedby={invalid ? hintId : undefined}
        />
        <button type="submit" className="button button-primary">
          Add note
        </button>
      </div>
      {/* A live region that is always there, so the message is announced when it appears (WCAG 4.1.3). */}
      <p id={hintId} className="field-error" aria-live="assertive">
        {invalid ? 'Write something first.' : ''}
      </p>
      {create.isError && <ErrorAlert error={create.error} action="add the note" />}
    </form>
  );
}
