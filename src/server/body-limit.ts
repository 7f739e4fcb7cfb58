// The largest request body (MAX_REQUEST_BODY), enforced as yoga's own `maxRequestBodySize` does,
// with the same errors (413 REQUEST_ENTITY_TOO_LARGE, 400 for a malformed Content-Length), but
// without its cost on every request: yoga pipes each body through a TransformStream (an
// AbortSignal, a stream pipeline and a DOMException when it ends: about a tenth of the server's
// CPU per small query), even when Content-Length already bounds it. Node's HTTP parser reads exactly
// Content-Length bytes of a body (and refuses a request with both a length and chunked encoding),
// so a body with a length within the limit needs no counting; only one without (chunked) is piped.
import { createGraphQLError, type Plugin } from 'graphql-yoga';

// Only a single non-negative integer is a valid Content-Length (as yoga checks it).
const CONTENT_LENGTH = /^\d+$/;

const tooLarge = () => createGraphQLError('Request body too large', { extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' } });
const badLength = () => createGraphQLError('Content-Length header is invalid.', { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } });

/** `request` with a body that errors once more than `limit` bytes were read (yoga's limitRequestBodySize). */
function limitedRequest(request: Request, limit: number, fetchAPI: { Request: typeof Request; TransformStream: typeof TransformStream }): Request {
  const body = request.body;
  if (!body) return request;
  // A native ReadableStream needs the native TransformStream (yoga's issue 4583).
  const Transform = body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
  let bytesRead = 0;
  const limited = body.pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytesRead += chunk.byteLength;
        if (bytesRead > limit) return controller.error(tooLarge());
        controller.enqueue(chunk);
      },
    }),
  );
  return new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, signal: request.signal, body: limited, duplex: 'half' } as RequestInit);
}

/**
 * Refuses bodies over `maxBytes` (yoga's `maxRequestBodySize` must then be false). Listed after
 * every plugin that registers a request parser, so that it wraps the one chosen.
 */
export function useRequestBodyLimit(maxBytes: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const length = request.headers.get('content-length');
      if (length !== null) {
        if (!CONTENT_LENGTH.test(length)) throw badLength();
        if (Number(length) > maxBytes) throw tooLarge();
        return;
      }
      if (!requestParser || !request.body) return;
      setRequestParser((req) => requestParser(limitedRequest(req, maxBytes, fetchAPI)));
    },
  };
}
