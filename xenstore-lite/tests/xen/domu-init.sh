#!/bin/busybox sh
# /init of the domU (mkdom0.sh): proves its xenstore ring and its console.
# It reads its own name through xenstore (relative path, over
# /dev/xen/xenbus and the ring our daemon serves), writes a node, then
# echoes every console line it reads; "flood N" writes N KiB at once.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "DOMU-UP"
name=$(xenstore-read name 2>&1)
echo "DOMU-XENSTORE name=$name"
xenstore-write data/greeting "hello from $name" && echo "DOMU-XENSTORE-WRITE ok"
stty -echo 2>/dev/null
while read -r line; do
    case $line in
    flood\ *) n=${line#flood }
              dd if=/dev/zero bs=1024 count="$n" 2>/dev/null | tr '\0' 'f' | fold -w 79
              echo; echo "DOMU-FLOOD-DONE $n" ;;
    *)        echo "DOMU-ECHO $line" ;;
    esac
done
echo "DOMU-EOF"
sleep 1000
