// Redis unreachable is an expected state with its own answer (503 + Retry-After), wherever in a
// request it shows: the session middleware, the user index, the sign-in replay marker, the locks.
import type { ErrorRequestHandler } from "express";
import { sessionStoreUnavailable } from "../errors.js";
import { isRedisUnavailable } from "../store/redis-client.js";

export const storeOutagesAs503: ErrorRequestHandler = (error, _request, _response, next) => {
  next(isRedisUnavailable(error) ? sessionStoreUnavailable(error) : error);
};
