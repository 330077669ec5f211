/* Host generator for the CMSIS-NN peer: a dense int8 fully connected network with random weights, calibrated on the
 * test images so that its activations are neither all zero nor all saturated, and the reference output the firmware
 * must reproduce bit for bit.
 *
 *   generate SHAPE SEED IMAGES.bin COUNT OUT_DIR
 *
 * SHAPE is the layer widths, e.g. 784,1024,1024,1024,10. Writes into OUT_DIR:
 *   weights.bin    per layer: int8 weights [out][in] (CMSIS-NN's transposed "rhs" layout), padded to 4 bytes, then
 *                  int32 biases [out], little-endian: what the firmware links into flash and reads in place
 *   network.h      the shapes, blob offsets and quantisation parameters as C constants
 *   reference.txt  "image i predicted p logits l0 ... l9" per image and "logits-checksum h", computed here with an
 *                  integer reference written from the TFLite int8 specification, not with CMSIS-NN's code
 *
 * Quantisation follows TFLite's int8 scheme as CMSIS-NN implements it: symmetric weights in [-127, 127]
 * (filter offset 0), asymmetric activations, a per-layer multiplier and shift. Images are uint8 pixels, fed as
 * int8 with zero point -128 (pixel - 128). Hidden layers have ReLU fused: output zero point -128 and clamping at
 * -128, so a dead neuron reads -128 and feeds 0 to the next layer. The logits have zero point 0.
 *
 * The instruction count of these kernels does not depend on the values (no data-dependent branch in the inner
 * loops); the weights are random only because no trained int8 LFC exists here. The calibration (each layer's
 * scale maps the 99.9th percentile of its accumulators over the images onto the int8 range) keeps the check
 * meaningful: a firmware whose layers were wired wrongly would not reproduce these logits. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LAYERS 16
#define CLASSES_MAX 1024

static uint64_t rng_state;

/* splitmix64: small, well mixed, and the same sequence on every host. */
static uint64_t next_random(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [low, high]; the modulo bias is irrelevant for benchmark weights. */
static int32_t uniform(int32_t low, int32_t high) {
    return low + (int32_t)(next_random() % (uint64_t)(high - low + 1));
}

static void fail(const char *what, const char *detail) {
    fprintf(stderr, "generate: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(2);
}

/* TFLite's QuantizeMultiplier: real = multiplier / 2^31 * 2^shift, multiplier in [2^30, 2^31). */
static void quantize_multiplier(double real, int32_t *multiplier, int32_t *shift) {
    int exponent;
    double fraction = frexp(real, &exponent);
    int64_t q = llround(fraction * 2147483648.0);
    if (q == 2147483648ll) { q /= 2; exponent++; }
    *multiplier = (int32_t)q;
    *shift = exponent;
}

/* The requantisation of TFLite's reference kernels (gemmlowp): a rounding doubling high multiply, then a rounding
 * arithmetic right shift with ties away from zero. Written from the specification, independently of CMSIS-NN. */
static int32_t requantize(int32_t acc, int32_t multiplier, int32_t shift) {
    int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    int64_t product = (int64_t)(acc * (1 << left)) * multiplier;
    int32_t high = (int32_t)((product + (1ll << 30)) >> 31);
    int32_t mask = (int32_t)((1u << right) - 1u);
    int32_t remainder = high & mask;
    int32_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
    return (high >> right) + (remainder > threshold ? 1 : 0);
}

static int compare_int32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

typedef struct {
    int in, out;
    int8_t *weights;  /* [out][in] */
    int32_t *bias;    /* [out] */
    int32_t input_offset, output_offset, multiplier, shift, activation_min, activation_max;
    uint32_t weights_offset, bias_offset; /* byte offsets in weights.bin */
} layer_t;

static void write_file(const char *dir, const char *name, const void *bytes, size_t count) {
    char path[4096], temporary[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(temporary, sizeof temporary, "%s.tmp", path);
    FILE *f = fopen(temporary, "wb");
    if (!f || fwrite(bytes, 1, count, f) != count || fclose(f) != 0) fail("cannot write", temporary);
    if (rename(temporary, path) != 0) fail("cannot rename", temporary);
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: generate SHAPE SEED IMAGES.bin COUNT OUT_DIR\n");
        return 2;
    }
    /* Shape. */
    int widths[MAX_LAYERS + 1], depth = 0;
    for (char *p = argv[1]; *p;) {
        char *end;
        long w = strtol(p, &end, 10);
        if (end == p || w <= 0 || w > 65536 || depth > MAX_LAYERS) fail("bad SHAPE (widths separated by commas)", argv[1]);
        widths[depth++] = (int)w;
        p = *end == ',' ? end + 1 : end;
        if (*end && *end != ',') fail("bad SHAPE (widths separated by commas)", argv[1]);
    }
    if (depth < 2) fail("SHAPE needs at least an input and an output width", argv[1]);
    int layers = depth - 1, classes = widths[depth - 1];
    if (classes > CLASSES_MAX) fail("too many classes", argv[1]);
    char *end;
    rng_state = strtoull(argv[2], &end, 10);
    if (*end || end == argv[2]) fail("bad SEED", argv[2]);
    long count = strtol(argv[4], &end, 10);
    if (*end || count <= 0) fail("bad COUNT", argv[4]);

    /* Images: COUNT of widths[0] bytes each. */
    size_t image_bytes = (size_t)widths[0];
    uint8_t *images = malloc(image_bytes * (size_t)count);
    FILE *f = fopen(argv[3], "rb");
    if (!f) fail("cannot open", argv[3]);
    if (!images || fread(images, 1, image_bytes * (size_t)count, f) != image_bytes * (size_t)count)
        fail("images file is shorter than COUNT images of the input width", argv[3]);
    fclose(f);

    /* Weights and biases, drawn layer by layer from one stream. */
    layer_t net[MAX_LAYERS];
    uint32_t blob_bytes = 0;
    for (int l = 0; l < layers; l++) {
        layer_t *L = &net[l];
        L->in = widths[l];
        L->out = widths[l + 1];
        L->weights = malloc((size_t)L->in * (size_t)L->out);
        L->bias = malloc(sizeof(int32_t) * (size_t)L->out);
        if (!L->weights || !L->bias) fail("out of memory", NULL);
        for (size_t i = 0; i < (size_t)L->in * (size_t)L->out; i++) L->weights[i] = (int8_t)uniform(-127, 127);
        /* Biases of the order of one input's contribution: small next to the accumulators (10^5 to 10^6). */
        for (int o = 0; o < L->out; o++) L->bias[o] = uniform(-32768, 32767);
        L->weights_offset = blob_bytes;
        blob_bytes += ((uint32_t)L->in * (uint32_t)L->out + 3u) & ~3u;
        L->bias_offset = blob_bytes;
        blob_bytes += 4u * (uint32_t)L->out;
        L->input_offset = l == 0 ? 128 : -net[l - 1].output_offset;
        int hidden = l + 1 < layers;
        L->output_offset = hidden ? -128 : 0;
        L->activation_min = -128;
        L->activation_max = 127;
    }

    /* Calibrate and run the reference, layer by layer over every image. */
    int widest = 0;
    for (int i = 0; i < depth; i++) if (widths[i] > widest) widest = widths[i];
    int8_t *activations = malloc((size_t)widest * (size_t)count), *next = malloc((size_t)widest * (size_t)count);
    int32_t *accumulators = malloc(sizeof(int32_t) * (size_t)widest * (size_t)count);
    int32_t *sorted = malloc(sizeof(int32_t) * (size_t)widest * (size_t)count);
    if (!activations || !next || !accumulators || !sorted) fail("out of memory", NULL);
    for (long n = 0; n < count; n++)
        for (size_t i = 0; i < image_bytes; i++)
            activations[(size_t)n * image_bytes + i] = (int8_t)(images[(size_t)n * image_bytes + i] - 128);

    for (int l = 0; l < layers; l++) {
        layer_t *L = &net[l];
        size_t cells = (size_t)L->out * (size_t)count;
        for (long n = 0; n < count; n++) {
            const int8_t *x = activations + (size_t)n * (size_t)L->in;
            for (int o = 0; o < L->out; o++) {
                const int8_t *w = L->weights + (size_t)o * (size_t)L->in;
                int32_t acc = L->bias[o];
                for (int i = 0; i < L->in; i++) acc += ((int32_t)x[i] + L->input_offset) * (int32_t)w[i];
                accumulators[(size_t)n * (size_t)L->out + (size_t)o] = acc;
            }
        }
        /* Scale: the 99.9th percentile of the accumulators (positive ones for a ReLU layer, magnitudes for the
         * logits) lands at the top of the int8 range. */
        int hidden = l + 1 < layers;
        size_t kept = 0;
        for (size_t i = 0; i < cells; i++) {
            int32_t a = accumulators[i];
            if (hidden ? a > 0 : 1) sorted[kept++] = a < 0 ? -a : a;
        }
        if (kept == 0) fail("calibration: a layer has no positive accumulator", NULL);
        qsort(sorted, kept, sizeof(int32_t), compare_int32);
        double top = (double)sorted[(size_t)((double)(kept - 1) * 0.999)];
        if (top < 1) top = 1;
        quantize_multiplier((hidden ? 255.0 : 127.0) / top, &L->multiplier, &L->shift);
        if (L->shift > 0 || L->shift < -31) fail("calibration: shift outside CMSIS-NN's range", NULL);

        size_t active = 0, saturated = 0;
        for (size_t i = 0; i < cells; i++) {
            int32_t v = requantize(accumulators[i], L->multiplier, L->shift) + L->output_offset;
            if (v < L->activation_min) v = L->activation_min;
            if (v > L->activation_max) v = L->activation_max;
            next[i] = (int8_t)v;
            active += v > L->activation_min;
            saturated += v == L->activation_max;
        }
        printf("generate: layer %d %d->%d multiplier %d shift %d: %.1f %% of outputs above the minimum, "
               "%.2f %% at the maximum\n", l, L->in, L->out, L->multiplier, L->shift,
               100.0 * (double)active / (double)cells, 100.0 * (double)saturated / (double)cells);
        int8_t *swap = activations; activations = next; next = swap;
    }

    /* Reference output: the firmware prints the same lines. The checksum is FNV-1a 64 over every logit as
     * 8 little-endian bytes (int64), as `tern run` and the Tern firmware compute theirs. */
    size_t text_capacity = (size_t)count * ((size_t)classes * 6 + 64) + 64, used = 0;
    char *text = malloc(text_capacity);
    if (!text) fail("out of memory", NULL);
    uint64_t checksum = 0xcbf29ce484222325ull;
    long histogram[CLASSES_MAX] = {0};
    for (long n = 0; n < count; n++) {
        const int8_t *logits = activations + (size_t)n * (size_t)classes;
        int best = 0;
        for (int c = 1; c < classes; c++) if (logits[c] > logits[best]) best = c;
        histogram[best]++;
        used += (size_t)snprintf(text + used, text_capacity - used, "image %ld predicted %d logits", n, best);
        for (int c = 0; c < classes; c++) {
            used += (size_t)snprintf(text + used, text_capacity - used, " %d", logits[c]);
            uint64_t v = (uint64_t)(int64_t)logits[c];
            for (int b = 0; b < 8; b++) { checksum ^= (v >> (8 * b)) & 0xFF; checksum *= 0x100000001b3ull; }
        }
        used += (size_t)snprintf(text + used, text_capacity - used, "\n");
    }
    used += (size_t)snprintf(text + used, text_capacity - used, "logits-checksum %llx\n", (unsigned long long)checksum);
    int distinct = 0;
    for (int c = 0; c < classes; c++) distinct += histogram[c] > 0;
    printf("generate: %ld images predicted as %d distinct classes; logits checksum %llx\n", count, distinct,
           (unsigned long long)checksum);

    /* weights.bin */
    uint8_t *blob = calloc(1, blob_bytes);
    if (!blob) fail("out of memory", NULL);
    for (int l = 0; l < layers; l++) {
        layer_t *L = &net[l];
        memcpy(blob + L->weights_offset, L->weights, (size_t)L->in * (size_t)L->out);
        for (int o = 0; o < L->out; o++)
            for (int b = 0; b < 4; b++) blob[L->bias_offset + 4u * (uint32_t)o + (uint32_t)b] = (uint8_t)((uint32_t)L->bias[o] >> (8 * b));
    }
    write_file(argv[5], "weights.bin", blob, blob_bytes);

    /* network.h */
    char header[16384];
    size_t h = 0;
    h += (size_t)snprintf(header + h, sizeof header - h,
                          "/* Written by tools/bench/cmsis-nn/generate.c for SHAPE %s SEED %s: do not edit. */\n"
                          "#define NETWORK_LAYERS %d\n#define NETWORK_INPUT %d\n#define NETWORK_CLASSES %d\n"
                          "#define NETWORK_WIDEST %d\n#define NETWORK_WEIGHT_BYTES %u\n"
                          "static const network_layer_t network[NETWORK_LAYERS] = {\n",
                          argv[1], argv[2], layers, widths[0], classes, widest, blob_bytes);
    for (int l = 0; l < layers; l++) {
        layer_t *L = &net[l];
        h += (size_t)snprintf(header + h, sizeof header - h,
                              "    {%d, %d, %uu, %uu, %d, %d, %d, %d, %d, %d},\n", L->in, L->out, L->weights_offset,
                              L->bias_offset, L->input_offset, L->output_offset, L->multiplier, L->shift,
                              L->activation_min, L->activation_max);
    }
    h += (size_t)snprintf(header + h, sizeof header - h, "};\n");
    if (h >= sizeof header) fail("network.h too long", NULL);
    write_file(argv[5], "network.h", header, h);
    write_file(argv[5], "reference.txt", text, used);
    return 0;
}
