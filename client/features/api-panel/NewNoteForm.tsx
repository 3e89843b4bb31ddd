import type { FormEvent } from 'react';
import { useId, useState } from 'react';
import { ErrorAlert } from '../../ui/ErrorAlert.tsx';
import { useCreateNote } from './useNoteMutations.ts';

const MAX_NOTE_LENGTH = 500;

export function NewNoteForm() {
  const create = useCreateNote();
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState(false);
  const inputId = useId();
  const hintId = useId();

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (create.isPending) return;
    const trimmed = text.trim();
    if (trimmed === '') {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    create.mutate(trimmed, { onSuccess: () => setText('') });
  }

  return (
    // noValidate: our own message is announced and styled consistently, unlike the browser bubble.
    <form className="note-form" onSubmit={submit} noValidate>
      <label htmlFor={inputId}>New note</label>
      <div className="note-form-row">
        <input
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
      {invalid && (
        <p id={hintId} className="field-error">
          Write something first.
        </p>
      )}
      {create.isError && <ErrorAlert error={create.error} action="add the note" />}
    </form>
  );
}
