import { useId } from 'react';
import type { Note } from '../../api/schemas.ts';

export function NoteItem({ note, onDelete }: { note: Note; onDelete: (id: string) => void }) {
  const textId = useId();
  const created = new Date(note.createdAt);
  return (
    <li className="note">
      <div className="note-body">
        <p id={textId} className="note-text">
          {note.text}
        </p>
        {!Number.isNaN(created.getTime()) && (
          <time className="note-time" dateTime={created.toISOString()}>
            {created.toLocaleString()}
          </time>
        )}
      </div>
      {/* The name stays "Delete"; the note's text is its description, read out after it. */}
      <button type="button" className="button button-danger" aria-describedby={textId} onClick={() => onDelete(note.id)}>
        Delete
      </button>
    </li>
  );
}
