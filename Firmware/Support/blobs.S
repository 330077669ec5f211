/* The blobs the app reads in place from flash: the .tern artifact, the test images and their labels.
 * The Makefile defines the three paths (TERN_MODEL, TERN_IMAGES, TERN_LABELS). The artifact is aligned to 32 bytes,
 * the format's default section alignment, so that section offsets in the file are also aligned addresses. */
    .section .tern_blobs, "a"
    .balign 32
    .global tern_model_start, tern_model_end
tern_model_start:
    .incbin TERN_MODEL
tern_model_end:

    .balign 4
    .global tern_images_start, tern_images_end
tern_images_start:
    .incbin TERN_IMAGES
tern_images_end:

    .global tern_labels_start, tern_labels_end
tern_labels_start:
    .incbin TERN_LABELS
tern_labels_end:
