/* The CMSIS-NN peer on the MCU: a dense int8 fully connected network (network.h, written by generate.c) run with
 * arm_fully_connected_s8 on every test image, one image at a time, as Tern's firmware classifies them.
 *
 * Around each inference the app calls tern_mark(2k) and tern_mark(2k+1) (Firmware/Support/mark.c), so that
 * tools/icount counts exactly one inference: the uint8 image read and shifted to int8, every layer, and the
 * argmax, i.e. what Tern's Engine.classify does between the same marks. After each image it prints
 * "image i predicted p logits l0 ... l9" and at the end "logits-checksum h" (FNV-1a 64 over the logits as
 * int64), which the Makefile compares with the host reference (reference.txt). */
#include <stdint.h>
#include "arm_nnfunctions.h"
#include "support.h"

typedef struct {
    int32_t in, out;
    uint32_t weights_offset, bias_offset; /* byte offsets in the weight blob */
    int32_t input_offset, output_offset, multiplier, shift, activation_min, activation_max;
} network_layer_t;

#include "network.h"

/* Linked into flash by Firmware/Support/blobs.S: the weight blob (as the "model"), the images. */
extern const uint8_t tern_model_start[], tern_model_end[], tern_images_start[], tern_images_end[];

/* Two activation buffers, ping-ponged between layers; word-aligned for CMSIS-NN's 4-byte reads. */
static int8_t buffers[2][NETWORK_WIDEST] __attribute__((aligned(4)));

static void write_int(int32_t value) {
    char text[12];
    int i = sizeof text - 1;
    uint32_t magnitude = value < 0 ? 0u - (uint32_t)value : (uint32_t)value;
    text[i] = 0;
    do { text[--i] = (char)('0' + magnitude % 10u); magnitude /= 10u; } while (magnitude);
    if (value < 0) text[--i] = '-';
    tern_write(text + i);
}

static void write_hex(uint64_t value) {
    char text[17];
    int i = sizeof text - 1;
    text[i] = 0;
    do { text[--i] = "0123456789abcdef"[value & 0xF]; value >>= 4; } while (value);
    tern_write(text + i);
}

/* One inference: image (uint8 pixels) -> logits, returns the predicted class. */
static int32_t classify(const uint8_t *image, int8_t **logits_out) {
    int8_t *input = buffers[0], *output = buffers[1];
    /* TFLite's int8 input: zero point -128, so the pixel p is stored as p - 128. */
    for (int32_t i = 0; i < NETWORK_INPUT; i++) input[i] = (int8_t)(image[i] - 128);

    for (int l = 0; l < NETWORK_LAYERS; l++) {
        const network_layer_t *layer = &network[l];
        const cmsis_nn_context context = {.buf = 0, .size = 0};
        const cmsis_nn_fc_params parameters = {
            .input_offset = layer->input_offset,
            .filter_offset = 0,
            .output_offset = layer->output_offset,
            .activation = {.min = layer->activation_min, .max = layer->activation_max},
        };
        const cmsis_nn_per_tensor_quant_params quantisation = {.multiplier = layer->multiplier, .shift = layer->shift};
        const cmsis_nn_dims input_dims = {.n = 1, .h = 1, .w = 1, .c = layer->in};
        const cmsis_nn_dims filter_dims = {.n = layer->in, .h = 1, .w = 1, .c = layer->out};
        const cmsis_nn_dims bias_dims = {.n = 1, .h = 1, .w = 1, .c = layer->out};
        const cmsis_nn_dims output_dims = {.n = 1, .h = 1, .w = 1, .c = layer->out};
        const int8_t *weights = (const int8_t *)(tern_model_start + layer->weights_offset);
        const int32_t *bias = (const int32_t *)(const void *)(tern_model_start + layer->bias_offset);
        arm_fully_connected_s8(&context, &parameters, &quantisation, &input_dims, input, &filter_dims, weights,
                               &bias_dims, bias, &output_dims, output);
        int8_t *swap = input; input = output; output = swap;
    }

    int32_t best = 0;
    for (int32_t c = 1; c < NETWORK_CLASSES; c++) if (input[c] > input[best]) best = c;
    *logits_out = input;
    return best;
}

int32_t tern_app_main(void) {
    if ((uint32_t)(tern_model_end - tern_model_start) != NETWORK_WEIGHT_BYTES) {
        tern_write("cmsis-nn: the linked weight blob does not match network.h\n");
        return 2;
    }
    /* arm_fully_connected_s8 needs a scratch buffer only on Helium (MVE) cores; none here. */
    const cmsis_nn_dims first_filter = {.n = network[0].in, .h = 1, .w = 1, .c = network[0].out};
    if (arm_fully_connected_s8_get_buffer_size(&first_filter) != 0) {
        tern_write("cmsis-nn: this core's arm_fully_connected_s8 wants a scratch buffer; not provided\n");
        return 2;
    }
    const uint32_t count = (uint32_t)(tern_images_end - tern_images_start) / NETWORK_INPUT;
    uint64_t checksum = 0xcbf29ce484222325ull;
    for (uint32_t i = 0; i < count; i++) {
        int8_t *logits;
        tern_mark(2 * i);
        int32_t predicted = classify(tern_images_start + i * NETWORK_INPUT, &logits);
        tern_mark(2 * i + 1);
        tern_write("image ");
        write_int((int32_t)i);
        tern_write(" predicted ");
        write_int(predicted);
        tern_write(" logits");
        for (int32_t c = 0; c < NETWORK_CLASSES; c++) {
            tern_write(" ");
            write_int(logits[c]);
            uint64_t v = (uint64_t)(int64_t)logits[c];
            for (int b = 0; b < 8; b++) { checksum ^= (v >> (8 * b)) & 0xFF; checksum *= 0x100000001b3ull; }
        }
        tern_write("\n");
    }
    tern_write("logits-checksum ");
    write_hex(checksum);
    tern_write("\n");
    return 0;
}
