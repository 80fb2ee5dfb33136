// Non-TLS peers for the lab scenarios that openssl cannot play itself.
//   node peers.mjs silent PORT   accept, read, never answer (no_server_response)
//   node peers.mjs http PORT     answer the ClientHello with an HTTP 400 (not_tls_response)
//   node peers.mjs reset PORT    read the ClientHello, then reset the connection (reset_during_handshake)
// Each serves one connection and exits (or is killed by the runner).
import net from 'node:net';
const [mode, port] = process.argv.slice(2);
const srv = net.createServer((sock) => {
  sock.once('data', () => {
    if (mode === 'http') {
      sock.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Request');
    } else if (mode === 'reset') {
      setTimeout(() => sock.resetAndDestroy(), 50);
    }
  });
  sock.on('error', () => {});
  sock.on('close', () => srv.close());
});
srv.listen(Number(port), '127.0.0.1');
