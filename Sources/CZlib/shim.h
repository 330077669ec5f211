// System zlib for the host tool chain and the tests; the runtime never links it.
#include <zlib.h>
