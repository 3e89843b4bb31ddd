import { useId, useLayoutEffect, useRef, useState } from 'react';
import type { Note } from '../../api/schemas.ts';

/** One note; with `onDelete`, a Delete button that asks before it deletes. */
export function NoteItem({ note, onDelete }: { note: Note; onDelete?: (id: string) => void }) {
  const textId = useId();
  // 'asked': the confirmation is showing; 'kept': it was cancelled, so Delete takes focus back.
  const [confirming, setConfirming] = useState<'no' | 'asked' | 'kept'>('no');
  const created = new Date(note.createdAt);
  return (
    <li className="note">
      <div className="note-body">
        <p id={textId} className="note-text">
          {note.text}
        </p>
        <p className="note-meta">
          {note.author ? <span>by {note.author}</span> : null}
          {note.author && !Number.isNaN(created.getTime()) ? ' · ' : null}
          {!Number.isNaN(created.getTime()) && <time dateTime={created.toISOString()}>{created.toLocaleString()}</time>}
        </p>
      </div>
      {onDelete &&
        (confirming === 'asked' ? (
          <ConfirmDelete textId={textId} onConfirm={() => onDelete(note.id)} onCancel={() => setConfirming('kept')} />
        ) : (
          <DeleteButton textId={textId} focus={confirming === 'kept'} onClick={() => setConfirming('asked')} />
        ))}
    </li>
  );
}

/** Takes focus back when a confirmation was cancelled, so the keyboard user stays on this note. */
function DeleteButton({ textId, focus, onClick }: { textId: string; focus: boolean; onClick: () => void }) {
  const ref = useRef<HTMLButtonElement>(null);
  // A layout effect: it runs in the same commit that removed "Keep", before focus could be lost.
  useLayoutEffect(() => {
    if (focus) ref.current?.focus();
  }, [focus]);
  // The name stays "Delete"; the note's text is its description, read out after it.
  return (
    <button ref={ref} type="button" className="button button-danger" aria-describedby={textId} onClick={onClick}>
      Delete
    </button>
  );
}

/** Deleting cannot be undone, so it takes a second, deliberate click; focus starts on "Keep". */
function ConfirmDelete({ textId, onConfirm, onCancel }: { textId: string; onConfirm: () => void; onCancel: () => void }) {
  const keepRef = useRef<HTMLButtonElement>(null);
  const groupId = useId();
  useLayoutEffect(() => keepRef.current?.focus(), []);
  return (
    <div className="note-confirm" role="group" aria-labelledby={groupId}>
      <span id={groupId} className="note-confirm-label">
        Delete this note?
      </span>
      <button type="button" className="button button-danger" aria-describedby={textId} onClick={onConfirm}>
        Yes, delete
      </button>
      <button ref={keepRef} type="button" className="button" onClick={onCancel}>
        Keep
      </button>
    </div>
  );
}
