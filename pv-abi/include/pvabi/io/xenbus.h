/*
 * Tessera guest ABI: the xenbus state of a split device, the number each
 * end keeps in its own "state" node in xenstore. A front end and its back
 * end step through these together: the back end waits (InitWait) for the
 * front end's rings (Initialised), both reach Connected; either end asks
 * to stop with Closing, and Closed means its side is torn down.
 */
#ifndef PVABI_IO_XENBUS_H
#define PVABI_IO_XENBUS_H

enum xenbus_state {
    XenbusStateUnknown       = 0,
    XenbusStateInitialising  = 1,
    XenbusStateInitWait      = 2,   /* back end: waiting for the front end's details */
    XenbusStateInitialised   = 3,   /* front end: rings and ports published */
    XenbusStateConnected     = 4,
    XenbusStateClosing       = 5,
    XenbusStateClosed        = 6,
    XenbusStateReconfiguring = 7,   /* network back ends only */
    XenbusStateReconfigured  = 8
};
typedef enum xenbus_state XenbusState;

#endif /* PVABI_IO_XENBUS_H */
