/*
 * rdkafka-produce: writes messages to one partition of a topic with librdkafka, compressed with
 * the codec given (none, gzip, snappy, lz4, zstd) - the way the OpenTelemetry Collector and other
 * librdkafka-based producers write them. Used by tests to check that Warden reads batches another
 * client compressed.
 *
 *   rdkafka-produce <bootstrap> <topic> <partition> <codec>
 *
 * Messages come on stdin, each as: u32 key length (big endian, 0xffffffff for no key), key,
 * u32 value length, value. All are sent in as few batches as librdkafka makes (long linger), then
 * flushed. Prints "DELIVERED <n>" and exits 0 when every message was acknowledged.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <librdkafka/rdkafka.h>

static int delivered = 0, failed = 0;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err) {
    failed++;
    fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(m->err));
  } else {
    delivered++;
  }
}

static void set(rd_kafka_conf_t *conf, const char *key, const char *value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "%s=%s: %s\n", key, value, err);
    exit(2);
  }
}

/* Reads a u32 length and that many bytes; returns 0 at a clean end of input. */
static int read_field(unsigned char **out, uint32_t *len, int *is_null) {
  unsigned char h[4];
  size_t got = fread(h, 1, 4, stdin);
  if (got == 0) return 0;
  if (got != 4) { fprintf(stderr, "truncated length\n"); exit(2); }
  uint32_t n = ((uint32_t)h[0] << 24) | ((uint32_t)h[1] << 16) | ((uint32_t)h[2] << 8) | h[3];
  *is_null = n == 0xffffffffu;
  *len = *is_null ? 0 : n;
  *out = malloc(*len ? *len : 1);
  if (*len && fread(*out, 1, *len, stdin) != *len) { fprintf(stderr, "truncated field\n"); exit(2); }
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: rdkafka-produce <bootstrap> <topic> <partition> <codec>\n");
    return 2;
  }
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", argv[1]);
  set(conf, "compression.codec", argv[4]);
  set(conf, "linger.ms", "100");
  set(conf, "batch.num.messages", "100000");
  set(conf, "message.max.bytes", "50000000");
  set(conf, "enable.idempotence", "false");
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) { fprintf(stderr, "%s\n", err); return 2; }

  int partition = atoi(argv[3]), sent = 0;
  for (;;) {
    unsigned char *key, *value;
    uint32_t key_len, value_len;
    int key_null, value_null;
    if (!read_field(&key, &key_len, &key_null)) break;
    if (!read_field(&value, &value_len, &value_null)) { fprintf(stderr, "key without value\n"); return 2; }
    rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(argv[2]), RD_KAFKA_V_PARTITION(partition),
                                              RD_KAFKA_V_KEY(key_null ? NULL : key, key_len),
                                              RD_KAFKA_V_VALUE(value, value_len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                              RD_KAFKA_V_END);
    if (e) { fprintf(stderr, "produce: %s\n", rd_kafka_err2str(e)); return 1; }
    free(key);
    free(value);
    sent++;
  }
  rd_kafka_flush(rk, 30000);
  rd_kafka_destroy(rk);
  printf("DELIVERED %d\n", delivered);
  return failed || delivered != sent;
}
