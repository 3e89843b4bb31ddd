import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createNote, deleteNote } from '../../api/notes.ts';
import { notesQuery } from '../../api/queries.ts';
import type { Note } from '../../api/schemas.ts';

export function useCreateNote() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createNote,
    // Returning the promise keeps the mutation pending until the list shows the new note.
    onSuccess: () => client.invalidateQueries({ queryKey: notesQuery().queryKey }),
  });
}

export function useDeleteNote() {
  const client = useQueryClient();
  const { queryKey } = notesQuery();
  return useMutation({
    mutationFn: deleteNote,
    onSuccess: (_result, id) => {
      client.setQueryData(queryKey, (notes: Note[] | undefined) => notes?.filter((note) => note.id !== id));
      return client.invalidateQueries({ queryKey });
    },
  });
}
