module vcd-simple-blog/tools/pause

go 1.26
