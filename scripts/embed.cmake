# Turn a text file into a C array, for resources compiled into the command
# (the HTML/CSS/JS template of `kmem map`). Used as:
#   cmake -DIN=file -DOUT=file.inc -DNAME=symbol -P scripts/embed.cmake
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" len)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# One line per 32 bytes keeps the generated file readable by editors.
string(REGEX REPLACE "((0x..,){32})" "\\1\n" bytes "${bytes}")
file(WRITE ${OUT} "/* Generated from ${IN} by scripts/embed.cmake; do not edit. */\n"
     "static const char ${NAME}[] = {\n${bytes}0x00 };\n")
