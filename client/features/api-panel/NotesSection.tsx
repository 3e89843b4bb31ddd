import { useQuery } from '@tanstack/react-query';
import { useRef } from 'react';
import { notesQuery } from '../../api/queries.ts';
import { ErrorAlert } from '../../ui/ErrorAlert.tsx';
import { NewNoteForm } from './NewNoteForm.tsx';
import { NoteItem } from './NoteItem.tsx';
import { useDeleteNote } from './useNoteMutations.ts';

export function NotesSection() {
  const notes = useQuery(notesQuery());
  const remove = useDeleteNote();
  const headingRef = useRef<HTMLHeadingElement>(null);

  function handleDelete(id: string) {
    if (remove.isPending && remove.variables === id) return;
    remove.mutate(id, {
      // The button that had focus is gone; keep keyboard users in the notes section.
      onSuccess: () => headingRef.current?.focus(),
    });
  }

  return (
    <section aria-labelledby="notes-heading" className="panel">
      <h2 id="notes-heading" ref={headingRef} tabIndex={-1}>
        Notes
      </h2>
      <NewNoteForm />
      {remove.isError && <ErrorAlert error={remove.error} action="delete notes" />}
      {notes.isPending ? (
        <p role="status" className="status">
          Loading notes…
        </p>
      ) : notes.isError ? (
        <>
          <ErrorAlert error={notes.error} action="load the notes" />
          <button type="button" className="button" onClick={() => void notes.refetch()}>
            Reload notes
          </button>
        </>
      ) : notes.data.length === 0 ? (
        <p className="empty">No notes yet. Add the first one above.</p>
      ) : (
        <ul className="notes" aria-label="Notes">
          {notes.data.map((note) => (
            <NoteItem key={note.id} note={note} onDelete={handleDelete} />
          ))}
        </ul>
      )}
    </section>
  );
}
