import { runMatrix } from '../helpers/object-authorization-matrix';
import { WRITE_ROWS } from '../helpers/object-authorization-write-rows';
import { afterEveryRefusal, objectAuthorizationWorld } from '../helpers/object-authorization-world';

/**
 * OWASP API1 (broken object-level authorisation) for writes: every mutation argument that
 * names an object or a mode, tried by every kind of app key of app A in both modes against
 * app B's objects and A's other mode's. The answer is FORBIDDEN (INSUFFICIENT_ROLE) where the
 * permission table denies the role, else NOT_FOUND as for an unknown id, or FORBIDDEN
 * (MODE_MISMATCH) for creating or minting in the other mode — and root reads the same state
 * afterwards. The full statement of the matrix: object-authorization-reads.security.test.ts.
 */
objectAuthorizationWorld();

runMatrix(WRITE_ROWS);

afterEveryRefusal();
