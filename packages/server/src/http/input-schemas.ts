import { z } from "zod";

/**
 * Ids Parlor makes (session ids, `sortableId()`s) are base64url-ish: anything else cannot
 * name a record, and is refused before it reaches a query.
 */
export const idSchema = z.string().regex(/^[\w-]{1,64}$/, "not a valid id");

/**
 * PostgreSQL refuses NUL in text, and an unpaired surrogate cannot be stored as UTF-8 (each
 * dialect would mangle it differently): bad input here rather than a 500 or a quiet change.
 */
export const isStorableText = (value: string) => !/[\0\p{Cs}]/u.test(value);
export const storableTextMessage = "must not contain NUL or unpaired surrogates";
