#ifndef LANSCOPE_CCRYPT_SHIM_H
#define LANSCOPE_CCRYPT_SHIM_H
// libxcrypt's crypt_r for bcrypt verification.
#include <crypt.h>
#endif
