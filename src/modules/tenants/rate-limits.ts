import type { Limit } from '../../infra/cache/rate-limiter';

/** Sign-ups from one address. */
export const SIGNUP_PER_IP: Limit = { scope: 'signup:ip', max: 20, windowSeconds: 3600 };
/** Session requests (logins and refreshes) from one address. */
export const SESSIONS_PER_IP: Limit = { scope: 'sessions:ip', max: 60, windowSeconds: 60 };
/**
 * Tries to prove the password of one login (logins, and password changes, which
 * count under the same e-mail): every try is counted before the password is
 * checked, and a success clears the count. Past the limit that login waits for
 * the window to pass.
 */
export const LOGIN_FAILURES_PER_EMAIL: Limit = { scope: 'login:fail', max: 5, windowSeconds: 900 };
