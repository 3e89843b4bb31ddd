import * as z from 'zod/mini';
import { userClaimsSchema } from '../../shared/session.ts';

/** What the demo API answers to `GET /api/me`: its view of the caller's claims. */
export const meSchema = userClaimsSchema;
export type Me = z.infer<typeof meSchema>;

// The demo API is a separate service; accept either id or timestamp encoding rather than break
// the screen over a representation detail.
export const noteSchema = z.object({
  id: z.pipe(z.union([z.string(), z.number()]), z.transform(String)),
  text: z.string(),
  /** Who wrote it (the demo API's notebook is shared); absent from APIs that do not say. */
  author: z.optional(z.string()),
  createdAt: z.union([z.string(), z.number()]),
});
export type Note = z.infer<typeof noteSchema>;

export const notesSchema = z.array(noteSchema);
