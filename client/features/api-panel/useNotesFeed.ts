import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { bffEvents } from '../../bff/index.ts';
import { apiPath, queryKeys } from '../../api/queries.ts';

export type FeedState = 'connecting' | 'live' | 'offline';

/**
 * The demo API's live feed of note changes (server-sent events through the BFF): each change
 * refetches the notes, so a note another user adds shows up without a reload.
 */
export function useNotesFeed(): FeedState {
  const queryClient = useQueryClient();
  const [state, setState] = useState<FeedState>('connecting');
  useEffect(() => {
    const stop = new AbortController();
    bffEvents(
      apiPath.noteEvents,
      (event) => {
        if (event.event !== 'notes') return;
        setState('live');
        void queryClient.invalidateQueries({ queryKey: queryKeys.notes });
      },
      stop.signal,
    ).then(
      () => setState('offline'),
      () => {
        if (!stop.signal.aborted) setState('offline');
      },
    );
    return () => stop.abort();
  }, [queryClient]);
  return state;
}
