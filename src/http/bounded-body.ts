// Reads a request body into memory up to a limit, and stops reading the moment it passes it.
// body-parser, refusing an oversized body, first reads the rest of it (to keep the connection
// usable for the next request), which for a chunked body that never ends is forever, and for a
// huge one is all of it. Here the caller answers at once instead, and closes the connection.
import type { Request } from "express";
import { AppError, badRequest } from "../errors.js";

/** The body, or null when it passed `limitBytes` (reading has stopped: close the connection). */
export function readBodyUpTo(request: Request, limitBytes: number): Promise<Buffer | null> {
  const encoding = (request.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding !== "identity") {
    return Promise.reject(new AppError("bad_request", "The body must be sent without a Content-Encoding.", { requestStatus: 415 }));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      request.off("data", onData).off("end", onEnd).off("error", onBroken).off("close", onBroken);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) return void chunks.push(chunk);
      stop();
      request.pause();
      resolve(null);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    // The client went away (or broke the framing) before the body ended.
    const onBroken = () => {
      stop();
      reject(badRequest("The request body did not arrive whole."));
    };
    request.on("data", onData).on("end", onEnd).on("error", onBroken).on("close", onBroken);
  });
}
