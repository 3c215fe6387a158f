/* The floor of bench/smtp: the fewest steps a client can take for the benchmark's transaction.
 *
 * Connect, greeting, EHLO, STARTTLS, TLS handshake verifying the chain against CA_FILE (OpenSSL,
 * as maildiag), EHLO, then AUTH PLAIN + MAIL + RCPT + DATA in one write, the message + QUIT in one
 * write: the 6 round trips maildiag takes. Nothing is parsed beyond finding the end of each reply,
 * nothing is reported; it exits 0 when the server said "queued as" and prints the number of
 * times it waited for replies ("round trips N"; the TLS handshake not counted, as in maildiag's
 * transcript). Its wall time is what the
 * server and the process start cost, with no client work: no client can be faster by much.
 *
 * usage: floor PORT CA_FILE AUTH_PLAIN_BASE64 FROM TO      (127.0.0.1 only)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fd = -1;
static SSL* ssl = NULL;
static char buf[65536];
static int waits = 0; /* reads of the server's replies: the round trips, counted as maildiag's transcript counts them */

static int get(char* p, int n) {
  /* Acknowledge at once (the kernel turns this off again): a server writing two replies in two
   * segments with Nagle on would otherwise wait for our delayed ACK, 40 ms. maildiag does the same. */
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
  return ssl != NULL ? SSL_read(ssl, p, n) : (int)read(fd, p, (size_t)n);
}

static void put(const char* s) {
  const int n = (int)strlen(s);
  const int w = ssl != NULL ? SSL_write(ssl, s, n) : (int)write(fd, s, (size_t)n);
  if (w != n) {
    fprintf(stderr, "floor: write failed\n");
    exit(1);
  }
}

/* Reads until `count` replies have ended (a line "ddd " ends a reply). */
static void replies(int count) {
  int len = 0;
  ++waits;
  for (;;) {
    const int n = get(buf + len, (int)sizeof buf - len - 1);
    if (n <= 0) {
      fprintf(stderr, "floor: connection closed\n");
      exit(1);
    }
    len += n;
    buf[len] = '\0';
    int ended = 0;
    for (char* line = buf;;) {
      char* eol = strstr(line, "\r\n");
      if (eol == NULL) break;
      if (eol - line >= 4 && line[3] == ' ') ++ended;
      line = eol + 2;
    }
    if (ended >= count) return;
  }
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: floor PORT CA_FILE AUTH_PLAIN_BASE64 FROM TO\n");
    return 2;
  }
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)atoi(argv[1]));
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  fd = socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (struct sockaddr*)&a, sizeof a) != 0) {
    perror("floor: connect");
    return 1;
  }
  replies(1);
  put("EHLO [127.0.0.1]\r\n");
  replies(1);
  put("STARTTLS\r\n");
  replies(1);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == NULL || SSL_CTX_load_verify_locations(ctx, argv[2], NULL) != 1) return 1;
  ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  SSL_set_verify(ssl, SSL_VERIFY_PEER, NULL);
  if (SSL_connect(ssl) != 1) {
    fprintf(stderr, "floor: TLS handshake failed\n");
    return 1;
  }
  put("EHLO [127.0.0.1]\r\n");
  replies(1);
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "AUTH PLAIN %s\r\nMAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n", argv[3], argv[4], argv[5]);
  put(cmd);
  replies(4);
  put("Subject: bench\r\n\r\nbench message\r\n.\r\nQUIT\r\n");
  replies(2);
  if (strstr(buf, "queued as") == NULL) {
    fprintf(stderr, "floor: not queued: %s", buf);
    return 1;
  }
  printf("round trips %d\n", waits);
  return 0;
}
