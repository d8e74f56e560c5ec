import { pageSecurityHeaders } from '../../shared/page-headers';

/** Security headers of every /console response: the strictest page policy (no inline style either). */
export const setSecurityHeaders = pageSecurityHeaders();
