// Express's end of the error path: what no route matched is 404, and every error a route throws or
// passes on is answered by writeError (error-answer.ts), as the read paths' errors are.
import type { ErrorRequestHandler, RequestHandler } from "express";
import { notFound } from "../errors.js";
import type { WriteError } from "./error-answer.js";

export const notFoundHandler: RequestHandler = (_request, _response, next) => next(notFound());

export function createErrorHandler(writeError: WriteError): ErrorRequestHandler {
  return (error, request, response, _next) => writeError(request, response, error);
}
