package dev.routemetrics.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.IntConsumer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's own answers as problem+json instead of its HTML error pages: a request Jetty refuses
 * before the application sees it (a bad request line 400, a URI too long 414, headers too large
 * 431, a chunk that does not parse) and any error Jetty itself renders. Says what was wrong and
 * nothing about the server.
 */
final class ProblemErrorHandler extends ErrorHandler {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final IntConsumer counter;

  /**
   * @param counter hears the status of every answer this handler writes (for /metrics)
   */
  ProblemErrorHandler(IntConsumer counter) {
    this.counter = counter;
    setShowServlet(false);
    setShowStacks(false);
    setShowMessageInTitle(false);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    counter.accept(status);
    fields.put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
    return ByteBuffer.wrap(body(status, reason));
  }

  @Override
  protected void generateAcceptableResponse(
      Request baseRequest,
      HttpServletRequest request,
      HttpServletResponse response,
      int code,
      String message)
      throws IOException {
    counter.accept(code);
    baseRequest.setHandled(true);
    response.setContentType(Problem.MEDIA_TYPE);
    response.getOutputStream().write(body(code, message));
  }

  static byte[] body(int status, String reason) {
    String title = HttpStatus.getMessage(status);
    String detail = reason == null || reason.isBlank() ? title : reason;
    try {
      return JSON.writeValueAsString(
              Problem.of(
                  "http-" + status,
                  title,
                  status,
                  "the HTTP server refused the request: " + detail))
          .getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
