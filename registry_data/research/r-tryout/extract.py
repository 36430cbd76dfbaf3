import re,sys,json
lines=open('README.md').read().split('\n')
out=[];inb=False;buf=None;start=None;lang=''
for i,l in enumerate(lines,1):
    if l.startswith('```'):
        inb=not inb; lang=l[3:].strip(); continue
    if inb:
        if buf is not None:
            buf+= '\n'+l
            if not l.rstrip().endswith('\\'):
                out.append((start,'block',buf)); buf=None
            continue
        s=l.strip()
        if re.match(r'^(\$ )?(\.venv/bin/|mlsys |python|MLSYS_|cd |duckdb|pip )',s):
            if s.endswith('\\'): buf=l; start=i
            else: out.append((i,'block',l))
    else:
        for m in re.finditer(r'`((?:\.venv/bin/)?(?:mlsys|python3? -m|python3?) [^`]+)`',l):
            out.append((i,'inline',m.group(1)))
json.dump(out,open('/tmp/tryout-work/cmds.json','w'),indent=0)
for i,k,c in out: print(i,k,c.replace('\n','\n      '))
