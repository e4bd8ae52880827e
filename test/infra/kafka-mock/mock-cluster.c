/*
 * Test helper: runs librdkafka's in-process mock Kafka cluster as a standalone process, so
 * the TypeScript suites can talk the real Kafka protocol (kafkajs) without a broker.
 *
 * Usage: mock-cluster [--brokers N] topic:partitions [topic:partitions ...]
 * Prints one line "BOOTSTRAP <host:port,...>" to stdout once the topics exist, then runs
 * until SIGTERM/SIGINT or until stdin reaches EOF (so it dies together with its parent).
 * Faults on request: a line "ERRORS <api key> <error code> [<error code> ...]" on stdin makes the
 * next requests of that API answer those errors, one each (librdkafka's
 * rd_kafka_mock_push_request_errors_array); the helper answers "OK ERRORS" (or "BAD <line>").
 * The mock cannot create topics through the Admin API, hence the command-line list.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

/* One command line from the parent: "ERRORS <api key> <code> [<code> ...]". */
static void run_command(rd_kafka_mock_cluster_t *mc, char *line) {
  rd_kafka_resp_err_t errors[64];
  size_t count = 0;
  char *save = NULL;
  char *word = strtok_r(line, " \t", &save);
  if (!word || strcmp(word, "ERRORS") != 0) goto bad;
  char *key = strtok_r(NULL, " \t", &save);
  if (!key) goto bad;
  int api_key = atoi(key);
  while ((word = strtok_r(NULL, " \t", &save)) != NULL && count < 64) errors[count++] = (rd_kafka_resp_err_t)atoi(word);
  if (count == 0) goto bad;
  rd_kafka_mock_push_request_errors_array(mc, (int16_t)api_key, count, errors);
  printf("OK ERRORS\n");
  fflush(stdout);
  return;
bad:
  printf("BAD command\n");
  fflush(stdout);
}

/* Waits for a signal or EOF/error on stdin, running the command lines that arrive meanwhile. */
static void wait_for_stop(rd_kafka_mock_cluster_t *mc) {
  char buf[1024];
  size_t used = 0;
  while (!stop_requested) {
    struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
    int n = poll(&pfd, 1, 200);
    if (n < 0 && errno != EINTR) return;
    if (n > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t r = read(STDIN_FILENO, buf + used, sizeof buf - 1 - used);
      if (r <= 0) return; /* parent went away */
      used += (size_t)r;
      buf[used] = '\0';
      char *newline;
      while ((newline = strchr(buf, '\n')) != NULL) {
        *newline = '\0';
        run_command(mc, buf);
        size_t rest = used - (size_t)(newline + 1 - buf);
        memmove(buf, newline + 1, rest);
        used = rest;
        buf[used] = '\0';
      }
      if (used == sizeof buf - 1) used = 0; /* an overlong line: dropped */
    }
  }
}

int main(int argc, char **argv) {
  int brokers = 1;
  int first_topic = 1;
  char errstr[512];

  if (argc > 2 && strcmp(argv[1], "--brokers") == 0) {
    brokers = atoi(argv[2]);
    first_topic = 3;
  }
  if (brokers < 1) {
    fprintf(stderr, "mock-cluster: --brokers must be >= 1\n");
    return 2;
  }

  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);

  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "mock-cluster: %s\n", errstr);
    return 1;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "mock-cluster: rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) {
    fprintf(stderr, "mock-cluster: could not create the mock cluster\n");
    rd_kafka_destroy(rk);
    return 1;
  }

  for (int i = first_topic; i < argc; i++) {
    char *spec = argv[i];
    char *colon = strrchr(spec, ':');
    int partitions = 1;
    if (colon) {
      *colon = '\0';
      partitions = atoi(colon + 1);
    }
    if (spec[0] == '\0' || partitions < 1) {
      fprintf(stderr, "mock-cluster: bad topic spec '%s'\n", argv[i]);
      return 2;
    }
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, spec, partitions, 1);
    if (err) {
      fprintf(stderr, "mock-cluster: topic %s: %s\n", spec, rd_kafka_err2str(err));
      return 1;
    }
  }

  printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);

  wait_for_stop(mc);

  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
