import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { notesQuery } from '../../api/queries.ts';
import { FOCUS_FALLBACK } from '../../layout/useFocusRescue.ts';
import { ErrorAlert } from '../../ui/ErrorAlert.tsx';
import { NewNoteForm } from './NewNoteForm.tsx';
import { NoteItem } from './NoteItem.tsx';
import { useDeleteNote } from './useNoteMutations.ts';
import { useNotesFeed } from './useNotesFeed.ts';

/** The shared notes: everyone signed in reads them; `canEdit` adds the form and the Delete buttons. */
export function NotesSection({ canEdit }: { canEdit: boolean }) {
  const notes = useQuery(notesQuery());
  const remove = useDeleteNote();
  const [status, setStatus] = useState('');
  const feed = useNotesFeed();

  function handleDelete(id: string) {
    if (remove.isPending && remove.variables === id) return;
    setStatus('Deleting the note…');
    // The deleted note's button goes away with it; useFocusRescue moves focus to the heading below.
    remove.mutate(id, { onSuccess: () => setStatus('Note deleted.'), onError: () => setStatus('') });
  }

  return (
    <section aria-labelledby="notes-heading" className="panel">
      <h2 id="notes-heading" tabIndex={-1} {...{ [FOCUS_FALLBACK]: '' }}>
        Shared notes
      </h2>
      <p className="feed" data-feed={feed}>
        {feed === 'live' ? 'Live: changes by others appear here as they happen (server-sent events through the BFF).' : feed === 'connecting' ? 'Connecting to the live feed…' : 'Live feed offline: reload to see changes by others.'}
      </p>
      {canEdit ? (
        <NewNoteForm onAdded={() => setStatus('Note added.')} />
      ) : (
        <p className="read-only">
          You can read these notes. Adding and deleting them is for editors, and the demo API refuses it to anyone else.
        </p>
      )}
      <p role="status" className="status">
        {status}
      </p>
      {remove.isError && <ErrorAlert error={remove.error} action="delete notes" />}
      {notes.isPending ? (
        <p className="status">Loading notes…</p>
      ) : notes.isError ? (
        <>
          <ErrorAlert error={notes.error} action="load the notes" />
          <button type="button" className="button" onClick={() => void notes.refetch()}>
            Reload notes
          </button>
        </>
      ) : notes.data.length === 0 ? (
        <p className="empty">{canEdit ? 'No notes yet. Add the first one above.' : 'No notes yet.'}</p>
      ) : (
        <ul className="notes" aria-label="Notes">
          {notes.data.map((note) => (
            <NoteItem key={note.id} note={note} onDelete={canEdit ? handleDelete : undefined} />
          ))}
        </ul>
      )}
    </section>
  );
}
