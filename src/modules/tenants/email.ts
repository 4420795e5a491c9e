/** The form an e-mail is compared and indexed in: trimmed, lower-cased, Unicode-normalised. */
export const normaliseEmail = (email: string): string => email.trim().normalize('NFKC').toLowerCase();
