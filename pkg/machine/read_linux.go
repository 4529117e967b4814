package machine

func newSource() source { return linuxSource("/") }
